import type { JoinAnalysis } from './joins';
import type { Analysis } from './analyzer';

export type Severity = 'ok' | 'warning' | 'error';

export interface Thresholds {
  /** More tables than this: warning (past join_collapse_limit the planner stops searching join orders exhaustively). */
  warning: number;
  /** This many tables or more: error (at geqo_threshold the planner switches to a genetic search). */
  error: number;
}

/** Timing known for a statement (a log line with a duration, a pg_stat_statements row). */
export interface Timing {
  calls?: number;
  totalMs?: number;
  rows?: number;
}

export interface QueryGroup {
  fingerprint: string;
  sample: string;
  analysis: JoinAnalysis;
  /** Executions seen (log lines, pg_stat_statements calls); undefined for SQL files. */
  calls?: number;
  totalMs?: number;
  rows?: number;
  occurrences: number;
  /** Where it was seen (the first few for logs and pg_stat_statements). */
  sources: SourcePosition[];
}

/** A place a statement was seen: a file position, or a label such as "pg_stat_statements queryid=…". */
export interface SourcePosition {
  file?: string;
  line?: number;
  column?: number;
  label?: string;
}

export function formatSource(p: SourcePosition): string {
  if (p.file === undefined) return p.label ?? '';
  return p.line === undefined ? p.file : `${p.file}:${p.line}${p.column !== undefined ? `:${p.column}` : ''}`;
}

export interface Unparsable {
  source: SourcePosition;
  message: string;
  text: string;
}

/** Unparsable samples kept per report: enough to find them, bounded so memory stays flat. */
const MAX_UNPARSABLE_LISTED = 100;

/** Collects analysed statements into fingerprint groups, with calls and time where known. */
export class QueryCollector {
  readonly groups = new Map<string, QueryGroup>();
  statements = 0;
  unparsableCount = 0;
  readonly unparsable: Unparsable[] = [];

  /** maxSources bounds the places kept per query: every one for files, a few for logs. */
  constructor(private readonly maxSources = 5) {}

  addUnparsable(source: SourcePosition, message: string, text: string): void {
    this.unparsableCount++;
    this.statements++;
    if (this.unparsable.length < MAX_UNPARSABLE_LISTED) this.unparsable.push({ source, message, text: text.length > 500 ? `${text.slice(0, 500)}…` : text });
  }

  /** Adds one occurrence of a text (which may hold several statements); returns the groups it went to. */
  add(text: string, analysis: Analysis, source: SourcePosition, timing: Timing = {}): QueryGroup[] {
    if (!analysis.ok) {
      this.addUnparsable(source, analysis.message, text);
      return [];
    }
    const out: QueryGroup[] = [];
    for (const st of analysis.statements) {
      this.statements++;
      let g = this.groups.get(st.fingerprint);
      if (!g) {
        g = { fingerprint: st.fingerprint, sample: st.text, analysis: st.analysis, occurrences: 0, sources: [] };
        this.groups.set(st.fingerprint, g);
      }
      g.occurrences++;
      if (g.sources.length < this.maxSources) g.sources.push(source);
      // Several statements in one log entry share its duration: attribute it to the first.
      if (timing.calls !== undefined) g.calls = (g.calls ?? 0) + timing.calls;
      if (timing.totalMs !== undefined && out.length === 0) g.totalMs = (g.totalMs ?? 0) + timing.totalMs;
      if (timing.rows !== undefined) g.rows = (g.rows ?? 0) + timing.rows;
      out.push(g);
    }
    return out;
  }

  /** A duration logged on its own line after its statement (log_statement plus log_duration). */
  addTime(group: QueryGroup, ms: number): void {
    group.totalMs = (group.totalMs ?? 0) + ms;
  }
}

export function severityOf(tables: number, t: Thresholds): Severity {
  if (tables >= t.error) return 'error';
  if (tables > t.warning) return 'warning';
  return 'ok';
}

export interface RankedQuery extends QueryGroup {
  severity: Severity;
}

export interface AuditResult {
  queries: RankedQuery[];
  timed: boolean;
  statements: number;
  distinct: number;
  unparsableCount: number;
  unparsable: Unparsable[];
  thresholds: Thresholds;
}

/** Queries that read at least one table, ranked by total time when known, else by join count. */
export function rank(collector: QueryCollector, thresholds: Thresholds): AuditResult {
  const all = [...collector.groups.values()].filter((g) => g.analysis.tables > 0);
  const timed = all.some((g) => g.totalMs !== undefined);
  const queries = all
    .map((g) => ({ ...g, severity: severityOf(g.analysis.tables, thresholds) }))
    .sort((a, b) =>
      timed
        ? (b.totalMs ?? -1) - (a.totalMs ?? -1) || b.analysis.tables - a.analysis.tables
        : b.analysis.tables - a.analysis.tables || b.occurrences - a.occurrences || a.fingerprint.localeCompare(b.fingerprint),
    );
  return {
    queries,
    timed,
    statements: collector.statements,
    distinct: collector.groups.size,
    unparsableCount: collector.unparsableCount,
    unparsable: collector.unparsable,
    thresholds,
  };
}
