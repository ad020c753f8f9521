/** Turns the two samples into the report's findings: pure functions of what was read. */
import type { WorkloadSamples } from './collect';
import { databaseAges, horizonOf } from './horizon';
import { nodeWorkload, type TierMap } from './isolation';
import type { Horizon, StatementWrites, TableWrites, WorkloadAnalysis } from './model';
import { offloadCandidates } from './offload';
import { replicaReads } from './reads';
import { nameResolver, readStatements, statementRef, type ReadStatement, type StatementShapes } from './statements';
import { statementDeltas, tableWrites } from './writes';

export interface ParsedWorkload {
  statements: ReadStatement[];
  unparsed: number;
  /** Functions the statements call: their volatility is looked up on the server. */
  functions: string[];
}

/** Reads the statements of the second sample through `shapes` (the parser must be loaded). */
export function parseWorkload(samples: WorkloadSamples, shapes: StatementShapes): ParsedWorkload {
  const { first, second, facts } = samples.primary;
  if (!second?.statements || !facts) return { statements: [], unparsed: 0, functions: [] };
  const userTables = new Set(second.tables.map((t) => t.name));
  const resolve = nameResolver(userTables, facts.searchPath);
  const { statements, unparsed } = readStatements(statementDeltas(first?.statements ?? null, second.statements), resolve, userTables, shapes);
  const functions = [...new Set(statements.flatMap((s) => s.shape.functions))].sort();
  return { statements, unparsed, functions };
}

export interface AnalyzeOptions {
  top: number;
  tiers: TierMap;
}

const NO_HORIZON: Horizon = { xidAge: 0, seconds: null, estimated: false, xidsPerSecond: null, holders: [] };

export function analyzeWorkload(samples: WorkloadSamples, parsed: ParsedWorkload, volatility: ReadonlyMap<string, boolean>, options: AnalyzeOptions): WorkloadAnalysis {
  const p = samples.primary;
  const nodes = samples.nodes.map((n) => nodeWorkload(n, options.tiers));
  const primary = { name: p.name, label: p.label, reachable: !p.error, error: p.error, inRecovery: p.facts?.inRecovery ?? false, database: p.facts?.database ?? null, role: p.facts?.role ?? null };
  if (!p.first || !p.second || !p.horizon) {
    return {
      primary, intervalSeconds: 0, serverWalBytesPerSecond: null, writesPerSecond: 0, tables: [], allTables: [], statements: [],
      horizon: NO_HORIZON, slots: [], databases: [], reads: [], candidates: [], notCandidates: [], nodes,
      statementCount: null, unparsed: 0, degradations: p.degradations,
    };
  }
  const seconds = Math.max(0.001, (p.second.at - p.first.at) / 1000);
  const allTables = tableWrites(p.first.tables, p.second.tables, p.horizon.autovacuum, seconds);
  const statements = writingStatements(parsed.statements, seconds);
  addTableWal(allTables, statements);
  const xidsPerSecond = Math.max(0, p.second.nextXid - p.first.nextXid) / seconds;
  const { candidates, notCandidates } = offloadCandidates(allTables, parsed.statements, options.top);
  return {
    primary,
    intervalSeconds: seconds,
    serverWalBytesPerSecond: p.first.walBytes === null || p.second.walBytes === null ? null : Math.max(0, p.second.walBytes - p.first.walBytes) / seconds,
    writesPerSecond: allTables.reduce((sum, t) => sum + t.writesPerSecond, 0),
    tables: allTables.slice(0, options.top),
    allTables,
    statements: statements.slice(0, options.top),
    horizon: horizonOf(p.horizon, xidsPerSecond),
    slots: p.horizon.slots,
    databases: databaseAges(p.horizon.databases),
    reads: replicaReads(parsed.statements, volatility, seconds, options.top),
    candidates,
    notCandidates,
    nodes,
    statementCount: p.second.statements?.length ?? null,
    unparsed: parsed.unparsed,
    degradations: p.degradations,
  };
}

/** Statements that write, most WAL per second first (then most WAL since the reset, then most calls). */
function writingStatements(statements: ReadStatement[], seconds: number): StatementWrites[] {
  return statements
    .filter((s) => s.writes.length > 0)
    .map((s) => ({
      ...statementRef(s),
      tables: s.writes,
      callsPerSecond: s.delta.calls / seconds,
      walBytesPerSecond: s.delta.walBytes === null ? null : s.delta.walBytes / seconds,
      walBytes: s.delta.row.walBytes,
    }))
    .sort((a, b) => (b.walBytesPerSecond ?? 0) - (a.walBytesPerSecond ?? 0) || (b.walBytes ?? 0) - (a.walBytes ?? 0) || b.callsPerSecond - a.callsPerSecond);
}

function addTableWal(tables: TableWrites[], statements: StatementWrites[]): void {
  const byTable = new Map(tables.map((t) => [t.name, t]));
  for (const s of statements) {
    if (s.walBytesPerSecond === null) continue;
    for (const name of s.tables) {
      const t = byTable.get(name);
      if (t) t.walBytesPerSecond = (t.walBytesPerSecond ?? 0) + s.walBytesPerSecond;
    }
  }
}
