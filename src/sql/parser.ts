import { sep } from 'node:path';
import type { Node, ScanToken } from 'libpg-query';
import { LIMITS } from './limits';
import { splitSql, type Piece } from './split';
import { SourceText, skipTrivia, type Position } from './source-text';

/**
 * The real PostgreSQL parser (libpg-query, WASM). It must be loaded once, asynchronously,
 * before any of the synchronous functions below are used; it is required lazily so commands
 * that never parse SQL do not pay for it.
 */
type LibPgQuery = typeof import('libpg-query');
let lib: LibPgQuery | undefined;
let loading: Promise<LibPgQuery> | undefined;
/** The WASM parser ran out of stack: its memory may be inconsistent, so the next loadParser() loads a fresh instance. */
let poisoned = false;

export async function loadParser(): Promise<LibPgQuery> {
  if (poisoned) {
    poisoned = false;
    lib = undefined;
    loading = undefined;
    // A fresh require instantiates a new WASM module (the package creates it when loaded).
    const marker = `${sep}libpg-query${sep}`;
    for (const key of Object.keys(require.cache)) if (key.includes(marker)) delete require.cache[key];
  }
  if (lib) return lib;
  if (!loading) {
    loading = (async () => {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const mod: LibPgQuery = require('libpg-query');
      await mod.loadModule();
      lib = mod;
      return mod;
    })();
  }
  return loading;
}

function parserOrThrow(): LibPgQuery {
  if (!lib) throw new Error('the SQL parser is not loaded: await loadParser() first');
  return lib;
}

export interface ParsedStatement {
  /** The statement's AST node, e.g. { AlterTableStmt: {...} }. */
  node: Node;
  /** The statement text without leading comments or whitespace and without the semicolon. */
  text: string;
  /** Where the first token is. */
  start: Position;
  /** Just past the last character of the statement. */
  end: Position;
  /** Comments and whitespace between the previous statement's semicolon and this one (for suppressions). */
  leadingTrivia: string;
  /** Byte offset of the first token (parser locations inside `node` are relative to the file). */
  byteStart: number;
}

export interface SyntaxProblem {
  message: string;
  position: Position;
  /** 'syntax': PostgreSQL rejects it; 'limit': it is past what dbops analyses (see limits.ts). */
  kind: 'syntax' | 'limit';
}

export interface ParsedFile {
  source: SourceText;
  statements: ParsedStatement[];
  /** Statements that did not parse, or that dbops does not analyse; the others are still returned. */
  errors: SyntaxProblem[];
}

/**
 * Parses a SQL file statement by statement (split first, see split.ts) with correct character
 * positions: one bad statement does not hide the rest, and statements past dbops's limits are
 * reported instead of parsed. Holds every statement's tree: see parseStatements for one at a time.
 */
export function parseSqlFile(text: string): ParsedFile {
  const source = new SourceText(text);
  const parsed: ParsedFile = { source, statements: [], errors: [] };
  for (const item of parseStatements(source)) {
    if ('statement' in item) parsed.statements.push(item.statement);
    else parsed.errors.push(item.problem);
  }
  return parsed;
}

/**
 * The statements of a file one at a time, in order, each with its tree, and the problems among
 * them: a caller that analyses each statement and drops it keeps one tree alive at a time, not
 * the whole file's (50,000 statements' trees take hundreds of megabytes).
 */
export function* parseStatements(source: SourceText): Generator<ParsedItem> {
  const pg = parserOrThrow();
  const { text } = source;
  let byte = 0;
  let char = 0;
  let previousEnd = 0;
  const byteAt = (offset: number) => {
    // Byte offsets advance piece by piece: the parser reports bytes, the text is characters.
    byte += source.isAscii ? offset - char : Buffer.byteLength(text.slice(char, offset), 'utf8');
    char = offset;
    return byte;
  };
  const withTrivia = (item: ParsedItem): ParsedItem => {
    if ('statement' in item) {
      item.statement.leadingTrivia = leadingTrivia(text, previousEnd, item.statement.start.offset);
      previousEnd = item.statement.end.offset;
    }
    return item;
  };
  let run: Piece[] = [];
  let runLength = 0;
  function* flush(): Generator<ParsedItem> {
    if (run.length === 0) return;
    const pieces = run;
    run = [];
    runLength = 0;
    for (const item of parseRun(source, pg, pieces, byteAt)) yield withTrivia(item);
  }
  for (const piece of splitSql(text)) {
    if (piece.firstToken < 0 || piece.deepComment !== undefined || piece.nesting > LIMITS.treeDepth) {
      yield* flush();
      for (const item of parsePiece(source, pg, piece, byteAt(piece.start))) yield withTrivia(item);
      continue;
    }
    run.push(piece);
    runLength += piece.end - piece.start;
    if (run.length >= RUN.statements || runLength >= RUN.characters) yield* flush();
  }
  yield* flush();
}

/**
 * How many consecutive statements go to the parser in one call. One call per statement cost a
 * third more than the parsing itself (10,400 statements: 146–276 ms one by one, 106–155 ms a file
 * at a time); a bounded run keeps only its own trees alive at once.
 */
const RUN = { statements: 64, characters: 64 * 1024 };

/**
 * A run of consecutive pieces, each a statement that needs no limit check, parsed in one call.
 * When the run does not parse, or the parser splits it into another number of statements, each
 * piece is parsed on its own instead: errors, positions and recovery are those of one piece.
 */
function* parseRun(source: SourceText, pg: LibPgQuery, pieces: Piece[], byteAt: (offset: number) => number): Generator<ParsedItem> {
  const first = pieces[0];
  const last = pieces[pieces.length - 1];
  if (pieces.length > 1) {
    const runByte = byteAt(first.start);
    const runText = source.text.slice(first.start, last.end);
    let stmts: RawStmt[] | undefined;
    try {
      stmts = (pg.parseSync(runText) as { stmts?: RawStmt[] }).stmts;
    } catch (err) {
      if (err instanceof RangeError) poisoned = true;
    }
    if (stmts && stmts.length === pieces.length) {
      const runByteEnd = runByte + (source.isAscii ? runText.length : Buffer.byteLength(runText, 'utf8'));
      for (const raw of stmts) yield { statement: toStatement(source, raw, runByte, runByteEnd) };
      return;
    }
  }
  for (const piece of pieces) yield* parsePiece(source, pg, piece, byteAt(piece.start));
}

type ParsedItem = { statement: ParsedStatement } | { problem: SyntaxProblem };

/** One piece's statements and problems, yielded one at a time (a piece may hold a whole file's statements: see below). */
function* parsePiece(source: SourceText, pg: LibPgQuery, piece: Piece, byteStart: number): Generator<ParsedItem> {
  const at = (offset: number) => source.position(offset);
  const firstToken = piece.firstToken >= 0 ? piece.firstToken : piece.start;
  if (piece.deepComment !== undefined) {
    yield { problem: { kind: 'limit', message: `block comments nested more than ${LIMITS.commentDepth} deep are not analysed`, position: at(piece.deepComment) } };
    return;
  }
  if (piece.firstToken < 0) return;
  if (piece.nesting > LIMITS.treeDepth) {
    yield { problem: { kind: 'limit', message: `statement nested too deeply to analyse (estimated depth ${piece.nesting}, limit ${LIMITS.treeDepth})`, position: at(firstToken) } };
    return;
  }
  const pieceText = source.text.slice(piece.start, piece.end);
  const pieceByteEnd = byteStart + (source.isAscii ? pieceText.length : Buffer.byteLength(pieceText, 'utf8'));
  let result: { stmts?: RawStmt[] };
  try {
    result = pg.parseSync(pieceText);
  } catch (err) {
    if (err instanceof RangeError) {
      // The stack ran out inside the WASM parser: its state is suspect, so load a fresh one.
      poisoned = true;
      yield { problem: { kind: 'limit', message: 'statement nested too deeply for the parser', position: at(firstToken) } };
    } else if (piece.innerSemicolons.length > 0) {
      // Unbalanced parentheses swallowed the statements after it (up to the whole rest of the
      // file): take them one by one, each parsed only when the caller asks for it.
      let from = piece.start;
      let fromByte = byteStart;
      for (const end of [...piece.innerSemicolons, piece.end]) {
        const chunk = source.text.slice(from, end);
        for (const sub of splitSql(chunk)) {
          const shift = (o: number) => (o < 0 ? o : o + from);
          const subByte = fromByte + (source.isAscii ? sub.start : Buffer.byteLength(chunk.slice(0, sub.start), 'utf8'));
          const shifted = { ...sub, start: shift(sub.start), end: shift(sub.end), firstToken: shift(sub.firstToken), deepComment: sub.deepComment === undefined ? undefined : shift(sub.deepComment), innerSemicolons: [] };
          yield* parsePiece(source, pg, shifted, subByte);
        }
        fromByte += source.isAscii ? chunk.length : Buffer.byteLength(chunk, 'utf8');
        from = end;
      }
    } else yield { problem: syntaxProblem(source, err, pieceText, piece.start) };
    return;
  }
  for (const raw of result.stmts ?? []) yield { statement: toStatement(source, raw, byteStart, pieceByteEnd) };
}

/** Everything between the end of the previous statement (past its semicolon) and this one's first token. */
function leadingTrivia(text: string, previousEnd: number, start: number): string {
  if (previousEnd === 0) return text.slice(0, start);
  let from = previousEnd;
  while (from < start && isSpaceOrSemicolon(text, from)) {
    if (text[from] === ';') {
      from++;
      break;
    }
    from++;
  }
  return text.slice(from, start);
}

/** /[\s;]/ on one character, without the regular expression for ASCII (this runs for every statement boundary). */
function isSpaceOrSemicolon(text: string, at: number): boolean {
  const code = text.charCodeAt(at);
  if (code < 128) return code === 59 || code === 32 || (code >= 9 && code <= 13);
  return /\s/.test(text[at]);
}

interface RawStmt {
  stmt?: Node;
  stmt_location?: number;
  stmt_len?: number;
}

function toStatement(source: SourceText, raw: RawStmt, baseByte: number, pieceByteEnd?: number): ParsedStatement {
  const byteLoc = baseByte + (raw.stmt_location ?? 0);
  // stmt_len 0 means "to the end of the input".
  const byteEnd = raw.stmt_len ? byteLoc + raw.stmt_len : (pieceByteEnd ?? source.byteLength);
  const charLoc = source.charOffset(byteLoc);
  const charEnd = source.charOffset(byteEnd);
  const first = skipTrivia(source.text, charLoc);
  let last = charEnd;
  while (last > first && isSpaceOrSemicolon(source.text, last - 1)) last--;
  const firstByte = (source.isAscii ? first - charLoc : Buffer.byteLength(source.text.slice(charLoc, first), 'utf8')) + byteLoc;
  return {
    node: raw.stmt as Node,
    text: source.text.slice(first, last),
    start: source.position(first),
    end: source.position(last),
    leadingTrivia: '',
    byteStart: firstByte,
  };
}

function syntaxProblem(source: SourceText, err: unknown, pieceText: string, pieceStart: number): SyntaxProblem {
  const e = err as { message?: string; sqlDetails?: { message?: string; cursorPosition?: number } };
  const message = e.sqlDetails?.message ?? e.message ?? String(err);
  // cursorPosition counts characters (code points, as PostgreSQL's error cursor does), 0-based,
  // into the text that was parsed: not bytes, and not UTF-16 units either.
  const cursor = e.sqlDetails?.cursorPosition ?? 0;
  const charOffset = cursor > 0 ? pieceStart + utf16Offset(pieceText, cursor) : pieceStart + skipTrivia(pieceText, 0);
  return { kind: 'syntax', message, position: source.position(charOffset) };
}

/** The UTF-16 offset of the code point at index `codePoints` (astral characters are two units). */
function utf16Offset(text: string, codePoints: number): number {
  let offset = 0;
  for (let seen = 0; seen < codePoints && offset < text.length; seen++) {
    const code = text.charCodeAt(offset);
    offset += code >= 0xd800 && code <= 0xdbff && offset + 1 < text.length ? 2 : 1;
  }
  return offset;
}

/** Normalises constants to $n, as pg_stat_statements does. */
export function normalizeSql(sql: string): string {
  return parserOrThrow().normalizeSync(sql);
}

/** The parser's query fingerprint (stable for one libpg-query version). */
export function fingerprintSql(sql: string): string {
  return parserOrThrow().fingerprintSync(sql);
}

/** Parses a PL/pgSQL body (DO blocks, functions). */
export function parsePlpgsql(sql: string): unknown {
  return parserOrThrow().parsePlPgSQLSync(sql);
}

export { SourceText };

/** The parser's own lexer: tokens with UTF-8 byte offsets; throws on an unterminated string, identifier or comment. */
export function scanSql(sql: string): ScanToken[] {
  return parserOrThrow().scanSync(sql).tokens;
}

export type { ScanToken };
