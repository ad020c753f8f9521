/**
 * The lint engine: parses sources, runs the effects model over every statement in order (context
 * carries across statements and files), applies the rules and the dbops-ignore suppressions.
 * `analyzeSources` is the lower-level API (`dbops migrate plan` prints its effects).
 */
import { RULES } from '../../rules';
import { analyzeStatement } from '../effects/analyze';
import { AnalysisContext } from '../effects/context';
import type { ActionKind, StatementEffects } from '../effects/types';
import { AnalysisLimitError } from '../sql/limits';
import { loadParser, parseSqlFile, SourceText, type ParsedFile, type ParsedStatement, type SyntaxProblem } from '../sql/parser';
import { ANALYSIS_ERROR, ENGINE_RULES, INVALID_SUPPRESSION, SYNTAX_ERROR, UNUSED_SUPPRESSION } from './engine-rules';
import type { AnalyzedStatement, Rule, RuleContext } from './rule';
import { parseSuppressions, type Suppression } from './suppressions';
import type { Finding, LintOptions, LintReport, RuleMeta, Severity, SeveritySetting, SqlSource } from './types';

export interface AnalyzeOptions {
  pgVersion: number;
  /** The runner wraps each file in one transaction (see LintOptions.fileTransaction). */
  fileTransaction?: boolean;
  /** SQL describing tables that already exist (see LintOptions.existingSchema). */
  existingSchema?: string;
  /** See LintOptions.newTables. */
  newTables?: 'run' | 'file';
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
  const files: AnalyzedFile[] = [];
  await eachAnalyzedFile(sources, options, (file) => files.push(file));
  return files;
}

/**
 * Analyses the sources one after another and hands each file over as soon as it is done, so a
 * caller that needs no file afterwards lets its syntax trees die young (cheap for the garbage
 * collector) instead of keeping every tree of the run alive.
 */
async function eachAnalyzedFile(sources: SqlSource[], options: AnalyzeOptions, visit: (file: AnalyzedFile) => void): Promise<void> {
  await loadParser();
  const ctx = createContext(options);
  for (const source of sources) {
    // Again per file: after a statement exhausted the parser's stack, a fresh parser is loaded.
    await loadParser();
    const file = analyzeFile(source, ctx, { keepTrees: false });
    // Sources come in migration order: when one is applied, so is everything before it.
    if (source.applied || options.newTables === 'file') ctx.treatAllAsExisting();
    visit(file);
  }
}

/** A context for a run, primed with the existing schema if one is given. The parser must be loaded. */
export function createContext(options: AnalyzeOptions): AnalysisContext {
  const ctx = new AnalysisContext(options.pgVersion, { fileTransaction: options.fileTransaction });
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
    const before = ctx.snapshot();
    let effects: StatementEffects;
    try {
      effects = analyzeStatement({ node: statement.node, text: statement.text }, ctx);
    } catch (err) {
      // One statement the analysis cannot handle must not end the run (or the migrate gate).
      analysisErrors.push({ kind: 'limit', message: analysisFailure(err), position: statement.start });
      continue;
    }
    if (options.keepTrees === false) statement.node = RELEASED_TREE;
    const analyzed: AnalyzedStatement = { file: source.path, text: statement.text, effects, before, inDoBlock: false, start: statement.start, end: statement.end };
    let cursor = 0;
    const nested = (effects.nested ?? []).map((n) => {
      // Point at the statement inside the DO body when its text is there verbatim (EXECUTE strings may be escaped).
      const at = statement.text.indexOf(n.text, cursor);
      if (at >= 0) cursor = at + n.text.length;
      const position = (delta: number) => parsed.source.position(statement.start.offset + delta);
      const [start, end] = at >= 0 ? [position(at), position(at + n.text.length)] : [statement.start, statement.end];
      return { file: source.path, text: n.text, effects: n.effects, before: n.before, inDoBlock: true, start, end };
    });
    statements.push({ statement, analyzed, nested });
  }
  return { path: source.path, applied: source.applied === true, parsed, statements, analysisErrors };
}

/** What a statement's tree is replaced with once it is no longer needed (see analyzeFile's keepTrees). */
const RELEASED_TREE = Object.freeze({}) as ParsedStatement['node'];

function analysisFailure(err: unknown): string {
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

export function ruleMetas(): RuleMeta[] {
  return [...RULES.map((r) => r.meta), ...ENGINE_RULES];
}

/** Rule ids in options that no rule has: config mistakes the caller should report. */
export function unknownRuleIds(options: Pick<LintOptions, 'severities' | 'ruleOptions'>): string[] {
  const known = new Set(ruleMetas().map((m) => m.id));
  const named = [...Object.keys(options.severities ?? {}), ...Object.keys(options.ruleOptions ?? {})];
  return [...new Set(named.filter((id) => !known.has(id)))];
}

function severityOf(meta: RuleMeta, options: LintOptions): SeveritySetting {
  return options.severities?.[meta.id] ?? meta.defaultSeverity;
}

export async function lintSources(sources: SqlSource[], options: LintOptions): Promise<LintReport> {
  const active = RULES.filter((r) => severityOf(r.meta, options) !== 'off').map((rule) => ({
    rule,
    ctx: { options: options.ruleOptions?.[rule.meta.id] ?? {}, lint: options },
  }));
  const findings: Finding[] = [];
  const files: LintReport['files'] = [];
  let statements = 0;
  const analyzeOptions = { pgVersion: options.pgVersion, fileTransaction: options.fileTransaction, existingSchema: options.existingSchema, newTables: options.newTables };
  // Each file is linted as soon as it is analysed: the effects of its statements are final by
  // then (the context only changes what later statements see).
  await eachAnalyzedFile(sources, analyzeOptions, (file) => {
    if (file.applied) return;
    statements += file.statements.length;
    files.push({ path: file.path, statements: file.statements.length });
    findings.push(...lintFile(file, active, options));
  });
  return { findings, files, statements, rules: ruleMetas() };
}

function lintFile(file: AnalyzedFile, active: ActiveRule[], options: LintOptions): Finding[] {
  const out: Finding[] = [];
  for (const err of file.parsed.errors) out.push(problemFinding(file.path, err));
  for (const err of file.analysisErrors) out.push(problemFinding(file.path, err));
  for (const st of file.statements) {
    try {
      out.push(...lintStatement(file, st, active, options));
    } catch (err) {
      out.push(problemFinding(file.path, { kind: 'limit', message: analysisFailure(err), position: st.statement.start }));
    }
  }
  return out.sort((a, b) => a.start.offset - b.start.offset);
}

/** A statement PostgreSQL rejects (syntax-error), or one dbops could not analyse (analysis-error): nothing in it was checked. */
function problemFinding(file: string, problem: SyntaxProblem): Finding {
  const syntax = problem.kind === 'syntax';
  return {
    ruleId: syntax ? SYNTAX_ERROR : ANALYSIS_ERROR,
    severity: 'error',
    category: 'syntax',
    message: problem.message,
    why: syntax
      ? 'PostgreSQL cannot parse this statement, so it cannot be checked (and would fail when run).'
      : 'dbops could not analyse this statement, so none of its locks and rewrites were checked.',
    fix: syntax ? undefined : 'Split the statement (or its expression) into smaller ones, or review it by hand and lint the rest.',
    file,
    start: problem.position,
    end: problem.position,
  };
}

/** An enabled rule with the context it is called with (built once per run, not per statement). */
interface ActiveRule {
  rule: Rule;
  ctx: RuleContext;
}

const SUPPRESSION_MARKER = /dbops-ignore/i;

function lintStatement(file: AnalyzedFile, st: AnalyzedTopLevelStatement, active: ActiveRule[], options: LintOptions): Finding[] {
  const { statement } = st;
  const trivia = statement.leadingTrivia;
  // Most statements carry no suppression; skip the comment parsing for them.
  const suppressions = SUPPRESSION_MARKER.test(trivia)
    ? parseSuppressions(trivia, statement.start.offset - trivia.length, (o) => file.parsed.source.position(o))
    : [];
  const out: Finding[] = [];
  const seen = new Set<string>();
  const units = st.nested.length === 0 ? [st.analyzed] : [st.analyzed, ...st.nested];
  for (const unit of units) {
    for (const { rule, ctx } of active) {
      if (rule.actionKinds && !hasActionOf(unit, rule.actionKinds)) continue;
      const reports = rule.check(unit, ctx);
      if (reports.length === 0) continue;
      for (const report of reports) {
        const suppression = suppressions.find((s) => s.reason && s.ruleIds.includes(rule.meta.id));
        if (suppression) {
          suppression.used.add(rule.meta.id);
          continue;
        }
        // A DO block repeating the same statement would say the same thing twice.
        const key = `${rule.meta.id}\0${report.message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const configured = options.severities?.[rule.meta.id];
        const severity: Severity = configured && configured !== 'off' ? configured : (report.severity ?? (rule.meta.defaultSeverity as Severity));
        out.push({
          ruleId: rule.meta.id,
          severity,
          category: rule.meta.category,
          message: report.message,
          why: report.why,
          fix: report.fix,
          file: file.path,
          start: unit.start,
          end: unit.end,
          statement: statement.text,
        });
      }
    }
  }
  if (suppressions.length > 0) out.push(...suppressionFindings(suppressions, file.path, options));
  return out;
}

function hasActionOf(unit: AnalyzedStatement, kinds: readonly ActionKind[]): boolean {
  for (const action of unit.effects.actions) if (kinds.includes(action.kind)) return true;
  return false;
}

let knownRules: Map<string, RuleMeta> | undefined;

function suppressionFindings(suppressions: Suppression[], path: string, options: LintOptions): Finding[] {
  if (suppressions.length === 0) return [];
  knownRules ??= new Map(ruleMetas().map((m) => [m.id, m]));
  const known = knownRules;
  const out: Finding[] = [];
  const report = (meta: RuleMeta, s: Suppression, message: string, why: string, fix: string) => {
    const setting = severityOf(meta, options);
    if (setting === 'off') return;
    out.push({ ruleId: meta.id, severity: setting, category: meta.category, message, why, fix, file: path, start: s.start, end: s.end });
  };
  for (const s of suppressions) {
    const unknown = s.ruleIds.filter((id) => !known.has(id));
    if (s.ruleIds.length === 0) {
      report(INVALID_SUPPRESSION, s, 'dbops-ignore names no rule', 'A suppression must say which rule it silences.', '-- dbops-ignore: <rule-id> <why this is safe here>');
      continue;
    }
    if (unknown.length) {
      report(INVALID_SUPPRESSION, s, `dbops-ignore names unknown rule ${unknown.join(', ')}`, 'A misspelt rule id silences nothing.', 'Use an id from `dbops lint --explain` / docs/rules/README.md.');
    }
    if (!s.reason) {
      report(
        INVALID_SUPPRESSION,
        s,
        `dbops-ignore: ${s.ruleIds.join(', ')} gives no reason, so it is not applied`,
        'A suppression is a decision; the next reader needs to know why the statement is safe here.',
        `-- dbops-ignore: ${s.ruleIds.join(', ')} <why this is safe here>`,
      );
      continue;
    }
    for (const id of s.ruleIds) {
      const meta = known.get(id);
      if (!meta || s.used.has(id) || severityOf(meta, options) === 'off') continue;
      report(
        UNUSED_SUPPRESSION,
        s,
        `dbops-ignore: ${id} suppresses nothing on this statement`,
        'Stale suppressions hide the next real problem; remove it.',
        `Delete the comment, or move it above the statement ${id} reports.`,
      );
    }
  }
  return out;
}
