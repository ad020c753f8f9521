/**
 * Lints one file at a time against the analysis context the files before it left: the rules on
 * every analysed statement, and the dbops-ignore suppressions. The one-thread run
 * (src/lint/engine.ts) and both threads of the parallel one (parallel.ts, worker.ts) use it.
 */
import { RULES } from '../../rules';
import { analysisFailure, analyzeNextFile, type AnalyzeOptions, type AnalyzedTopLevelStatement, type FileInAnalysis } from '../effects/analyze-files';
import type { AnalysisContext } from '../effects/context';
import type { SyntaxProblem } from '../sql/parser';
import type { ActionKind } from '../effects/types';
import { ANALYSIS_ERROR, ENGINE_RULES, INVALID_SUPPRESSION, SYNTAX_ERROR, UNUSED_SUPPRESSION } from './engine-rules';
import type { AnalyzedStatement, Rule, RuleContext } from './rule';
import { parseSuppressions, type Suppression } from './suppressions';
import type { Finding, LintOptions, ObservedEffects, RuleMeta, Severity, SeveritySetting, SqlSource } from './types';
import { describeHold, StatsIndex } from '../stats/hold';
import { strongest, type LockMode } from '../effects/locks';
import { dbopsCommand } from '../core/dbops-command';

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

/** The effects model's options within the lint options. */
export function analyzeOptionsOf(options: LintOptions): AnalyzeOptions {
  return { pgVersion: options.pgVersion, fileTransaction: options.fileTransaction, existingSchema: options.existingSchema, newTables: options.newTables, serverTimeZone: options.serverTimeZone };
}

/** One file's share of a LintReport: plain data, so it can come from a worker thread. */
export interface LintedFile {
  /** In the order the report lists them (by position). */
  findings: Finding[];
  /** Undefined for an applied file (history: analysed for context, not reported). */
  linted?: { path: string; statements: number };
}

/** Lints files one after another against an analysis context the caller carries from file to file. */
export class FileLinter {
  private readonly active: ActiveRule[];
  private readonly stats: StatsIndex | undefined;
  private readonly analyzeOptions: AnalyzeOptions;

  constructor(
    private readonly options: LintOptions,
    private readonly observed?: ObservedEffects,
  ) {
    this.active = RULES.filter((r) => severityOf(r.meta, options) !== 'off').map((rule) => ({
      rule,
      ctx: { options: options.ruleOptions?.[rule.meta.id] ?? {}, lint: options },
    }));
    this.stats = options.stats ? new StatsIndex(options.stats) : undefined;
    this.analyzeOptions = analyzeOptionsOf(options);
  }

  /**
   * The parser must be loaded (it is reloaded here only after a statement exhausted its stack).
   * With `early`, findings are handed over as soon as their order is final, and the result holds
   * only what was left; without it, the result holds all of the file's findings.
   */
  async lint(source: SqlSource, ctx: AnalysisContext, early?: (findings: Finding[]) => Promise<void> | void): Promise<LintedFile> {
    const { active, options, stats, observed } = this;
    // A statement is linted as soon as it is analysed and then dropped, so memory does not grow with
    // the file. Renames wait for the end of their file: a later statement of the file may reuse the
    // old name, which makes the rename half of a swap (see AnalysisContext.nameTaken).
    let fileFindings: Finding[] = [];
    const interned = fileInterner();
    const renames: Array<[ordinal: number, statement: AnalyzedTopLevelStatement]> = [];
    let ordinal = 0;
    let linted: LintedFile['linted'];
    const lintOne = (file: FileInAnalysis, st: AnalyzedTopLevelStatement, at: number) => {
      try {
        const seen = observed?.(file.path, at);
        if (!seen) {
          for (const f of lintStatement(file, st, active, options, stats, interned)) fileFindings.push(f);
          return;
        }
        // The observation decides: the rules judge what the statement did on the scratch server.
        const nested = st.nested.map((n, i) => ({ ...n, effects: seen.effects.nested?.[i]?.effects ?? n.effects }));
        const unit = { ...st, analyzed: { ...st.analyzed, effects: seen.effects }, nested };
        for (const f of lintStatement(file, unit, active, options, stats, interned)) fileFindings.push({ ...f, verification: seen.verification });
      } catch (err) {
        fileFindings.push(problemFinding(file.path, { kind: 'limit', message: analysisFailure(err), position: st.statement.start }));
      }
    };
    // A statement's findings lie within it (its suppressions just before it), after every earlier
    // statement's: they can go once it is linted, unless a deferred rename's findings must come first.
    const release = () => {
      if (!early || renames.length > 0 || fileFindings.length === 0) return;
      const released = fileFindings.sort(byOffset);
      fileFindings = [];
      return early(released);
    };
    await analyzeNextFile(source, ctx, this.analyzeOptions, {
      statement(file, st) {
        const at = ordinal++;
        if (file.applied) return;
        if (hasActionOf(st.analyzed, RENAMES) || st.nested.some((n) => hasActionOf(n, RENAMES))) renames.push([at, st]);
        else lintOne(file, st, at);
        return release();
      },
      problem(file, problem) {
        if (file.applied) return;
        fileFindings.push(problemFinding(file.path, problem));
        return release();
      },
      fileDone(file, count) {
        if (file.applied) return;
        for (const [at, st] of renames) lintOne(file, st, at);
        linted = { path: file.path, statements: count };
      },
    });
    return { findings: linted ? fileFindings.sort(byOffset) : [], linted };
  }
}

const byOffset = (a: Finding, b: Finding) => a.start.offset - b.start.offset;

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

/**
 * One copy of each explanation within a file: rules build `why` and `fix` afresh for every
 * finding, and a file's findings may be held until the file is done (behind a deferred rename, or
 * all of them for a caller without a sink): 50,000 findings repeating the same few texts would hold
 * tens of megabytes. Per file, because `dbops lint` writes the findings out as it goes: a run-wide
 * table would only keep every distinct fix of the run alive.
 */
type Interner = (text: string) => string;
function fileInterner(): Interner {
  const texts = new Map<string, string>();
  return (text) => {
    const known = texts.get(text);
    if (known !== undefined) return known;
    if (texts.size < 10_000) texts.set(text, text);
    return text;
  };
}

const RENAMES: readonly ActionKind[] = ['rename-column', 'rename-table'];

/** An enabled rule with the context it is called with (built once per run, not per statement). */
interface ActiveRule {
  rule: Rule;
  ctx: RuleContext;
}

const SUPPRESSION_MARKER = /dbops-ignore/i;

/** Findings about work that grows with the table: with a stats file they say how long it holds the lock. */
const HEAVY_CATEGORIES: ReadonlySet<Finding['category']> = new Set(['rewrite', 'scan', 'index-build']);

function lintStatement(file: FileInAnalysis, st: AnalyzedTopLevelStatement, active: ActiveRule[], options: LintOptions, stats: StatsIndex | undefined, interned: Interner): Finding[] {
  const { statement } = st;
  const trivia = statement.leadingTrivia;
  // Most statements carry no suppression; skip the comment parsing for them.
  const suppressions = SUPPRESSION_MARKER.test(trivia)
    ? parseSuppressions(trivia, statement.start.offset - trivia.length, (o) => file.source.position(o))
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
        let severity: Severity = configured && configured !== 'off' ? configured : (report.severity ?? (rule.meta.defaultSeverity as Severity));
        const category = report.category ?? rule.meta.category;
        const hold = stats && HEAVY_CATEGORIES.has(category) ? stats.estimate(unit.effects.relations) : undefined;
        const warningBelow = options.sizeThresholds?.warningBelowBytes;
        // A configured severity is a decision about the rule; the size threshold only moves the default.
        if (hold && warningBelow !== undefined && hold.tableBytes < warningBelow && !configured) severity = 'warning';
        out.push({
          ruleId: rule.meta.id,
          severity,
          category,
          message: hold ? `${report.message} — ${describeHold(hold)}` : report.message,
          why: interned(report.why),
          fix: report.fix === undefined ? undefined : interned(report.fix),
          file: file.path,
          start: unit.start,
          end: unit.end,
          statement: statement.text,
          ...lockOf(unit),
          ...(hold ? { hold } : {}),
        });
      }
    }
  }
  if (suppressions.length > 0) out.push(...suppressionFindings(suppressions, file.path, options));
  return out;
}

function lockOf(unit: AnalyzedStatement): { lock?: LockMode } {
  const lock = strongest(unit.effects.relations.map((r) => r.lock));
  return lock ? { lock } : {};
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
      report(INVALID_SUPPRESSION, s, `dbops-ignore names unknown rule ${unknown.join(', ')}`, 'A misspelt rule id silences nothing.', `Use an id from \`${dbopsCommand('lint --list-rules')}\` / docs/rules/README.md.`);
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
