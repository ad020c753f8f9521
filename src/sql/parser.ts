import type { Node, ScanToken } from 'libpg-query';
import { SourceText, skipTrivia, type Position } from './source-text';

/**
 * The real PostgreSQL parser (libpg-query, WASM). It must be loaded once, asynchronously,
 * before any of the synchronous functions below are used; it is required lazily so commands
 * that never parse SQL do not pay for it.
 */
type LibPgQuery = typeof import('libpg-query');
let lib: LibPgQuery | undefined;
let loading: Promise<LibPgQuery> | undefined;

export async function loadParser(): Promise<LibPgQuery> {
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
}

export interface ParsedFile {
  source: SourceText;
  statements: ParsedStatement[];
  /** Statements that did not parse; the others are still returned. */
  errors: SyntaxProblem[];
}

/**
 * Parses a whole SQL file into statements with correct character positions. When the file as a
 * whole does not parse, it is split at top-level semicolons (using the parser's own lexer) and
 * each piece is parsed alone, so one bad statement does not hide the rest.
 */
export function parseSqlFile(text: string): ParsedFile {
  const source = new SourceText(text);
  const pg = parserOrThrow();
  // libpg-query rejects "" ("Query cannot be empty"); an empty migration file is valid and holds nothing.
  if (text === '') return { source, statements: [], errors: [] };
  let parsed: ParsedFile;
  try {
    const result = pg.parseSync(text);
    parsed = { source, statements: (result.stmts ?? []).map((raw) => toStatement(source, raw, 0)), errors: [] };
  } catch (err) {
    parsed = parsePieceByPiece(source, pg, err);
  }
  attachLeadingTrivia(parsed);
  return parsed;
}

/** Everything between the end of the previous statement (past its semicolon) and this one's first token. */
function attachLeadingTrivia(file: ParsedFile): void {
  let previousEnd = 0;
  for (const st of file.statements) {
    let from = previousEnd;
    while (from < st.start.offset && isSpaceOrSemicolon(file.source.text, from)) {
      if (file.source.text[from] === ';') {
        from++;
        break;
      }
      from++;
    }
    st.leadingTrivia = file.source.text.slice(previousEnd === 0 ? 0 : from, st.start.offset);
    previousEnd = st.end.offset;
  }
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

function parsePieceByPiece(source: SourceText, pg: LibPgQuery, firstError: unknown): ParsedFile {
  const pieces = splitStatements(source, pg);
  const statements: ParsedStatement[] = [];
  const errors: SyntaxProblem[] = [];
  for (const piece of pieces) {
    const pieceText = source.sliceBytes(piece.byteStart, piece.byteEnd);
    try {
      const result = pg.parseSync(pieceText);
      for (const raw of result.stmts ?? []) statements.push(toStatement(source, raw, piece.byteStart, piece.byteEnd));
    } catch (err) {
      errors.push(syntaxProblem(source, err, piece.byteStart, pieceText));
    }
  }
  if (errors.length === 0) errors.push(syntaxProblem(source, firstError, 0, source.text));
  return { source, statements, errors };
}

interface Piece {
  byteStart: number;
  byteEnd: number;
}

/** Splits at top-level semicolons using the lexer (so strings, dollar quotes and comments are safe). */
function splitStatements(source: SourceText, pg: LibPgQuery): Piece[] {
  let tokens: { start: number; end: number; text: string }[];
  try {
    tokens = pg.scanSync(source.text).tokens;
  } catch {
    return [{ byteStart: 0, byteEnd: source.byteLength }];
  }
  const pieces: Piece[] = [];
  let start = 0;
  let depth = 0;
  let atomic = 0;
  let prevUpper = '';
  for (const t of tokens) {
    const upper = t.text.toUpperCase();
    if (t.text === '(') depth++;
    else if (t.text === ')') depth = Math.max(0, depth - 1);
    else if (upper === 'ATOMIC' && prevUpper === 'BEGIN') atomic++;
    else if (upper === 'END' && atomic > 0) atomic--;
    else if (t.text === ';' && depth === 0 && atomic === 0) {
      pieces.push({ byteStart: start, byteEnd: t.end });
      start = t.end;
    }
    prevUpper = upper;
  }
  const rest = source.sliceBytes(start, source.byteLength);
  if (skipTrivia(rest, 0) < rest.length) pieces.push({ byteStart: start, byteEnd: source.byteLength });
  return pieces;
}

function syntaxProblem(source: SourceText, err: unknown, baseByte: number, pieceText: string): SyntaxProblem {
  const e = err as { message?: string; sqlDetails?: { message?: string; cursorPosition?: number } };
  const message = e.sqlDetails?.message ?? e.message ?? String(err);
  // cursorPosition is a 0-based byte offset into the text that was parsed.
  let byte = e.sqlDetails?.cursorPosition ?? 0;
  if (byte <= 0) byte = Buffer.byteLength(pieceText.slice(0, skipTrivia(pieceText, 0)), 'utf8');
  const charOffset = source.charOffset(baseByte + byte);
  return { message, position: source.position(charOffset) };
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
