/**
 * Splits SQL text into statements in one linear pass, before anything is parsed, so each statement
 * is parsed alone (a tree lives only while its statement is analysed) and inputs the parser
 * handles badly are caught first: block comments nested past LIMITS.commentDepth, and statements
 * whose trees would be deeper than the parser can print (see nestingEstimate).
 *
 * It knows what PostgreSQL's lexer knows about where a statement ends: quotes ('…', E'…' with
 * backslash escapes, "…", $tag$…$tag$), -- and nested block comments, parentheses, and
 * BEGIN ATOMIC … END bodies (with CASE … END inside them).
 */
import { LIMITS } from './limits';

export interface Piece {
  /** Character offset where the piece starts (just past the previous piece). */
  start: number;
  /** Just past its semicolon, or the end of the text. */
  end: number;
  /** Character offset of its first token (not comment or whitespace); -1 when it has none. */
  firstToken: number;
  /** An upper estimate of its tree's depth: parentheses, operator chains, subqueries, CASE. */
  nesting: number;
  /** Where a block comment nested deeper than LIMITS.commentDepth starts, if one does. */
  deepComment?: number;
  /** Offsets just past every semicolon inside parentheses (where to split again when it does not parse). */
  innerSemicolons: number[];
}

/** Per nesting level: estimated depth of a SELECT (SelectStmt, target list, ResTarget, SubLink…), of an opening parenthesis, of an operator. */
const WEIGHT = { select: 10, open: 2, operator: 1 };

/** Keywords that build an expression node around their operands (a chain of them nests). */
const OPERATOR_WORDS = new Set(['NOT', 'IS', 'IN', 'LIKE', 'ILIKE', 'SIMILAR', 'BETWEEN', 'AT', 'COLLATE', 'ISNULL', 'NOTNULL', 'OVERLAPS', 'ANY', 'ALL', 'SOME', 'EXISTS', 'ARRAY', 'ROW']);
/** Keywords after which an expression starts afresh at the same level (lists and flattened AND/OR). */
const SEPARATOR_WORDS = new Set(['AND', 'OR', 'WHEN', 'THEN', 'ELSE', 'FROM', 'WHERE', 'ON', 'USING', 'SET', 'VALUES', 'AS', 'BY', 'HAVING', 'LIMIT', 'OFFSET', 'RETURNING']);
const SUBQUERY_WORDS = new Set(['SELECT', 'VALUES', 'WITH']);

const OPERATOR_CHARS = '+-*/<>=~!@#%^&|`?';

function isIdentStart(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code >= 128;
}

function isIdentChar(code: number): boolean {
  return isIdentStart(code) || (code >= 48 && code <= 57) || code === 36;
}

export function splitSql(text: string): Piece[] {
  const pieces: Piece[] = [];
  const n = text.length;
  let piece = newPiece(0);
  // Nesting frames: '(' for parentheses and brackets, 'case' for CASE … END.
  const frames: Array<{ kind: '(' | 'case'; run: number }> = [];
  let parens = 0;
  let atomic = 0;
  let base = 0;
  let run = 0;
  let previousWord = '';
  const note = () => {
    if (base + run > piece.nesting) piece.nesting = base + run;
  };
  const token = (at: number) => {
    if (piece.firstToken < 0) piece.firstToken = at;
  };
  const open = (kind: '(' | 'case') => {
    frames.push({ kind, run });
    base += run + WEIGHT.open;
    run = 0;
    note();
  };
  const close = () => {
    const frame = frames.pop();
    if (!frame) return;
    base -= frame.run + WEIGHT.open;
    run = frame.run;
  };
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (c === 32 || (c >= 9 && c <= 13)) {
      i++;
    } else if (c === 45 && next === 45) {
      // -- comment: to the end of the line (PostgreSQL ends it at \n or \r).
      i += 2;
      while (i < n && text[i] !== '\n' && text[i] !== '\r') i++;
    } else if (c === 47 && next === 42) {
      i = skipBlockComment(text, i, piece);
    } else if (c === 39) {
      token(i);
      i = skipQuoted(text, i, "'", text[i - 1] === 'E' || text[i - 1] === 'e' ? isEscapeStringPrefix(text, i - 1) : false);
    } else if (c === 34) {
      token(i);
      i = skipQuoted(text, i, '"', false);
    } else if (c === 36 && (isIdentStart(next) || next === 36)) {
      token(i);
      i = skipDollarQuoted(text, i);
    } else if (isIdentChar(c) && c !== 36) {
      token(i);
      const from = i;
      while (i < n && isIdentChar(text.charCodeAt(i))) i++;
      const word = text.slice(from, i).toUpperCase();
      if (word === 'ATOMIC' && previousWord === 'BEGIN') atomic++;
      else if (word === 'CASE') open('case');
      else if (word === 'END') {
        if (frames.length > 0 && frames[frames.length - 1].kind === 'case') close();
        else if (atomic > 0) atomic--;
      } else if (SUBQUERY_WORDS.has(word)) {
        run += WEIGHT.select;
        note();
      } else if (OPERATOR_WORDS.has(word)) {
        run += WEIGHT.operator;
        note();
      } else if (SEPARATOR_WORDS.has(word)) run = 0;
      previousWord = word;
      continue;
    } else if (c === 40 || c === 91) {
      token(i);
      if (c === 40) parens++;
      open('(');
      i++;
    } else if (c === 41 || c === 93) {
      token(i);
      if (c === 41) parens = Math.max(0, parens - 1);
      while (frames.length > 0 && frames[frames.length - 1].kind === 'case') close();
      close();
      i++;
    } else if (c === 44) {
      token(i);
      run = 0;
      i++;
    } else if (c === 59) {
      i++;
      if (parens === 0 && atomic === 0) {
        piece.end = i;
        pieces.push(piece);
        piece = newPiece(i);
        frames.length = 0;
        base = 0;
        run = 0;
      } else piece.innerSemicolons.push(i);
    } else if (c === 58 && next === 58) {
      token(i);
      run += WEIGHT.operator;
      note();
      i += 2;
    } else if (OPERATOR_CHARS.includes(text[i])) {
      token(i);
      while (i < n && OPERATOR_CHARS.includes(text[i]) && !(text[i] === '-' && text[i + 1] === '-') && !(text[i] === '/' && text[i + 1] === '*')) i++;
      run += WEIGHT.operator;
      note();
    } else {
      token(i);
      i++;
    }
    if (!isTrivia(c, next)) previousWord = '';
  }
  if (piece.firstToken >= 0 || piece.deepComment !== undefined) {
    piece.end = n;
    pieces.push(piece);
  }
  return pieces;
}

function isTrivia(c: number, next: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || (c === 45 && next === 45) || (c === 47 && next === 42);
}

function newPiece(start: number): Piece {
  return { start, end: start, firstToken: -1, nesting: 0, innerSemicolons: [] };
}

/** E'…' (or e'…'): the E must be a word of its own, not the end of an identifier. */
function isEscapeStringPrefix(text: string, at: number): boolean {
  return at === 0 || !isIdentChar(text.charCodeAt(at - 1));
}

function skipQuoted(text: string, from: number, quote: string, backslashEscapes: boolean): number {
  let i = from + 1;
  while (i < text.length) {
    const ch = text[i];
    if (backslashEscapes && ch === '\\') i += 2;
    else if (ch === quote) {
      if (text[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return text.length;
}

function skipDollarQuoted(text: string, from: number): number {
  let i = from + 1;
  while (i < text.length && text[i] !== '$' && isIdentChar(text.charCodeAt(i))) i++;
  if (text[i] !== '$') return i; // "$x" without a closing $: a parameter-like word, not a quote
  const tag = text.slice(from, i + 1);
  const close = text.indexOf(tag, i + 1);
  return close < 0 ? text.length : close + tag.length;
}

/** Nested /* *\/ comments; notes the first place the nesting passes LIMITS.commentDepth. */
function skipBlockComment(text: string, from: number, piece: Piece): number {
  let depth = 1;
  let i = from + 2;
  while (i < text.length && depth > 0) {
    const c = text.charCodeAt(i);
    if (c === 47 && text.charCodeAt(i + 1) === 42) {
      depth++;
      if (depth > LIMITS.commentDepth && piece.deepComment === undefined) piece.deepComment = from;
      i += 2;
    } else if (c === 42 && text.charCodeAt(i + 1) === 47) {
      depth--;
      i += 2;
    } else i++;
  }
  return i;
}
