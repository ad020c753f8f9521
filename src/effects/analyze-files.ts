/**
 * Runs the effects model over SQL sources in order: one analysis context per run, carried across
 * statements and files, primed with the existing schema. Lint, `dbops migrate plan` and the lint
 * gate build on this; it knows nothing of rules.
 */
import { analyzeStatement } from './analyze';
import { AnalysisContext } from './context';
import type { AnalyzedStatement, SqlSource, StatementEffects } from './types';
import { AnalysisLimitError } from '../sql/limits';
import { loadParser, parseSqlFile, parseStatements, SourceText, type ParsedFile, type ParsedStatement, type SyntaxProblem } from '../sql/parser';

export interface AnalyzeOptions {
  pgVersion: number;
  /** The runner wraps each file in one transaction (see LintOptions.fileTransaction). */
  fileTransaction?: boolean;
  /** SQL describing tables that already exist (see LintOptions.existingSchema). */
  existingSchema?: string;
  /** See LintOptions.newTables. */
  newTables?: 'run' | 'file';
  /** See LintOptions.serverTimeZone. */
  serverTimeZone?: string;
}

export interface AnalyzedTopLevelStatement {
  statement: ParsedStatement;
  /** The statement itself. */
  analyzed: AnalyzedStatement;
  /** Statements inside it (DO blocks), analysed in its transaction. */
  nested: AnalyzedStatement[];
}

export interface AnalyzedFile {
  path: string;
  /** See SqlSource.applied. */
  applied: boolean;
  parsed: ParsedFile;
  statements: AnalyzedTopLevelStatement[];
  /** Statements that parsed but that the analysis could not handle (left out of `statements`). */
  analysisErrors: SyntaxProblem[];
}

/** Parses and analyses sources in the given order (sorting is the caller's job). */
export async function analyzeSources(sources: SqlSource[], options: AnalyzeOptions): Promise<AnalyzedFile[]> {
  await loadParser();
  const ctx = createContext(options);
  const files: AnalyzedFile[] = [];
  for (const source of sources) {
    await loadParser();
    files.push(analyzeFile(source, ctx, { keepTrees: false }));
    if (endsNewTables(source, options)) ctx.treatAllAsExisting();
  }
  return files;
}

/** A file being analysed by eachAnalyzedStatement. */
export interface FileInAnalysis {
  path: string;
  /** See SqlSource.applied. */
  applied: boolean;
  /** The text as parsed, for positions. */
  source: SourceText;
}

/** What eachAnalyzedStatement reports, in order, file by file. */
export interface StatementVisitor {
  /** A statement, analysed; its syntax tree is already released. A promise returned holds the analysis until it settles (a reader of the report that fell behind). */
  statement(file: FileInAnalysis, statement: AnalyzedTopLevelStatement): Promise<void> | void;
  /** A statement that did not parse, or that dbops could not analyse (a promise returned, as for statement). */
  problem(file: FileInAnalysis, problem: SyntaxProblem): Promise<void> | void;
  /** The file is done: `statements` were analysed. */
  fileDone(file: FileInAnalysis, statements: number): void;
}

/**
 * Analyses the sources one after another, statement by statement, and hands over each statement
 * as soon as it is analysed: only one syntax tree is alive at a time, and nothing of a statement
 * stays behind unless the visitor keeps it (memory stays flat on a file of 50,000 statements).
 */
export async function eachAnalyzedStatement(sources: SqlSource[], options: AnalyzeOptions, visit: StatementVisitor): Promise<void> {
  await loadParser();
  const ctx = createContext(options);
  for (const source of sources) await analyzeNextFile(source, ctx, options, visit);
}

/**
 * One file of eachAnalyzedStatement, against the context the files before it left: what the
 * parallel lint (src/lint/parallel.ts) runs file by file on each thread.
 */
export async function analyzeNextFile(source: SqlSource, ctx: AnalysisContext, options: AnalyzeOptions, visit: StatementVisitor): Promise<void> {
  // Again per file: after a statement exhausted the parser's stack, a fresh parser is loaded.
  await loadParser();
  const text = new SourceText(parserInput(source.text));
  const file: FileInAnalysis = { path: source.path, applied: source.applied === true, source: text };
  ctx.startFile();
  let statements = 0;
  // The parser calls an empty input an error; an empty migration simply holds no statement.
  if (text.text.trim() !== '') {
    for (const item of parseStatements(text)) {
      let wait: Promise<void> | void;
      if ('problem' in item) wait = visit.problem(file, item.problem);
      else {
        const analyzed = analyzeParsed(source.path, item.statement, text, ctx);
        if ('problem' in analyzed) wait = visit.problem(file, analyzed.problem);
        else {
          item.statement.node = RELEASED_TREE;
          statements++;
          wait = visit.statement(file, analyzed);
        }
      }
      if (wait) await wait;
    }
  }
  if (endsNewTables(source, options)) ctx.treatAllAsExisting();
  visit.fileDone(file, statements);
}

/** After this file, no table counts as new any more: sources come in migration order, so when one is applied, so is everything before it. */
export function endsNewTables(source: SqlSource, options: AnalyzeOptions): boolean {
  return source.applied === true || options.newTables === 'file';
}

/** A context for a run, primed with the existing schema if one is given. The parser must be loaded. */
export function createContext(options: AnalyzeOptions): AnalysisContext {
  const ctx = new AnalysisContext(options.pgVersion, { fileTransaction: options.fileTransaction, serverTimeZone: options.serverTimeZone });
  if (options.existingSchema) {
    analyzeFile({ path: '<existing schema>', text: options.existingSchema }, ctx);
    ctx.treatAllAsExisting();
  }
  return ctx;
}

/**
 * Analyses one more file with a context shared across the run. The parser must be loaded.
 * keepTrees: false drops each statement's syntax tree once it is analysed (the lint rules need
 * only the effects; a tree is far bigger than its statement).
 */
export function analyzeFile(source: SqlSource, ctx: AnalysisContext, options: { keepTrees?: boolean } = {}): AnalyzedFile {
  const text = parserInput(source.text);
  // The parser calls an empty input an error; an empty migration simply holds no statement.
  const parsed: ParsedFile = text.trim() === '' ? { source: new SourceText(text), statements: [], errors: [] } : parseSqlFile(text);
  ctx.startFile();
  const analysisErrors: SyntaxProblem[] = [];
  const statements: AnalyzedTopLevelStatement[] = [];
  for (const statement of parsed.statements) {
    const analyzed = analyzeParsed(source.path, statement, parsed.source, ctx);
    if ('problem' in analyzed) {
      analysisErrors.push(analyzed.problem);
      continue;
    }
    if (options.keepTrees === false) statement.node = RELEASED_TREE;
    statements.push(analyzed);
  }
  return { path: source.path, applied: source.applied === true, parsed, statements, analysisErrors };
}

/** One parsed statement through the effects model, with the statements inside it (DO blocks). */
function analyzeParsed(path: string, statement: ParsedStatement, source: SourceText, ctx: AnalysisContext): AnalyzedTopLevelStatement | { problem: SyntaxProblem } {
  const before = ctx.snapshot();
  let effects: StatementEffects;
  try {
    effects = analyzeStatement({ node: statement.node, text: statement.text }, ctx);
  } catch (err) {
    // One statement the analysis cannot handle must not end the run (or the migrate gate).
    return { problem: { kind: 'limit', message: analysisFailure(err), position: statement.start } };
  }
  const analyzed: AnalyzedStatement = { file: path, text: statement.text, effects, before, inDoBlock: false, start: statement.start, end: statement.end };
  let cursor = 0;
  const nested = (effects.nested ?? []).map((n) => {
    // Point at the statement inside the DO body when its text is there verbatim (EXECUTE strings may be escaped).
    const at = statement.text.indexOf(n.text, cursor);
    if (at >= 0) cursor = at + n.text.length;
    const position = (delta: number) => source.position(statement.start.offset + delta);
    const [start, end] = at >= 0 ? [position(at), position(at + n.text.length)] : [statement.start, statement.end];
    return { file: path, text: n.text, effects: n.effects, before: n.before, inDoBlock: true, start, end };
  });
  return { statement, analyzed, nested };
}

/** What a statement's tree is replaced with once it is no longer needed (see analyzeFile's keepTrees). */
const RELEASED_TREE = Object.freeze({}) as ParsedStatement['node'];

export function analysisFailure(err: unknown): string {
  if (err instanceof AnalysisLimitError) return err.message;
  if (err instanceof RangeError) return 'statement nested too deeply to analyse';
  return `dbops could not analyse this statement: ${err instanceof Error ? err.message : String(err)}`;
}

/**
 * Editors on Windows save a byte-order mark, which the parser takes for part of the first token;
 * a space in its place keeps every character offset.
 */
function parserInput(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text;
}
