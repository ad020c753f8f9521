/** What `dbops report workload` found, before thresholds: the model every format renders. */
import type { DatabaseAge, Degradation, HorizonHolder, ReplicationSlotRow } from './types';

export interface TableWrites {
  /** schema.name */
  name: string;
  insertsPerSecond: number;
  updatesPerSecond: number;
  deletesPerSecond: number;
  writesPerSecond: number;
  /** This table's part of all rows written during the interval (0–1). */
  share: number;
  /** Rows written since the statistics were reset (inserts + updates + deletes). */
  totalWrites: number;
  /** HOT updates / updates during the interval; null without updates. */
  hotUpdateRatio: number | null;
  liveTuples: number;
  deadTuples: number;
  /** dead / (live + dead); null for an empty table. */
  deadRatio: number | null;
  /** Since the later of the last manual and automatic vacuum; null when never vacuumed. */
  sinceVacuumSeconds: number | null;
  autovacuum: 'ok' | 'overdue' | 'disabled';
  /** Why autovacuum is overdue by its own thresholds (dead rows or inserts over the trigger). */
  autovacuumNote: string | null;
  /** WAL per second of the statements that write this table (a statement writing several counts for each). */
  walBytesPerSecond: number | null;
}

/** A statement as evidence: enough to find it in pg_stat_statements. */
export interface StatementRef {
  queryid: string;
  user: string;
  /** The normalised text, shortened for tables (JSON keeps it whole). */
  text: string;
}

export interface StatementWrites extends StatementRef {
  /** Tables it writes, resolved to schema.name where the database has them. */
  tables: string[];
  callsPerSecond: number;
  walBytesPerSecond: number | null;
  /** WAL since the statistics were reset. */
  walBytes: number | null;
}

export interface ReplicaRead extends StatementRef {
  tables: string[];
  calls: number;
  totalMs: number;
  meanMs: number;
  callsPerSecond: number;
}

export interface OffloadCandidate {
  table: string;
  share: number;
  writesPerSecond: number;
  /** The column every statement on the table pins by equality: the shard key. */
  key: string;
  /** The statements that prove it, with the columns each pins. */
  evidence: Array<StatementRef & { keyColumns: string[] }>;
}

export interface NotCandidate {
  table: string;
  share: number;
  writesPerSecond: number;
  /** What ties the table: a join, a range query, statements pinning different columns. */
  reason: string;
  evidence: StatementRef[];
}

export interface Horizon {
  /** Age in transactions of the oldest xmin or xid held; 0 when nothing holds it. */
  xidAge: number;
  /** How long the oldest holder has held it (from the server's clock, else estimated from the XID rate). */
  seconds: number | null;
  estimated: boolean;
  /** Transactions per second during the interval. */
  xidsPerSecond: number | null;
  /** Every holder, oldest first. */
  holders: HorizonHolder[];
}

export interface NamedCount {
  name: string;
  connections: number;
  /** Backends active, averaged over the samples: active seconds per second of wall time. */
  active: number;
}

export interface NodeWorkload {
  name: string;
  label: string;
  reachable: boolean;
  error?: string;
  role: 'primary' | 'standby' | null;
  applications: NamedCount[];
  users: NamedCount[];
  /** Tiers of the applications connected here (from the tier mapping), with their applications. */
  tiers: Array<{ tier: string; applications: string[] }>;
}

export interface WorkloadAnalysis {
  primary: { name: string; label: string; reachable: boolean; error?: string; inRecovery: boolean; database: string | null; role: string | null };
  intervalSeconds: number;
  serverWalBytesPerSecond: number | null;
  /** Rows written per second over all tables. */
  writesPerSecond: number;
  /** The busiest tables (--top); tables over a dead-tuple threshold are listed by the evaluation. */
  tables: TableWrites[];
  /** Every table's writes, for the evaluation (never rendered whole). */
  allTables: TableWrites[];
  statements: StatementWrites[];
  horizon: Horizon;
  slots: ReplicationSlotRow[];
  databases: DatabaseAge[];
  reads: ReplicaRead[];
  candidates: OffloadCandidate[];
  notCandidates: NotCandidate[];
  nodes: NodeWorkload[];
  /** Statements pg_stat_statements holds for this database, and how many the parser could not read. */
  statementCount: number | null;
  unparsed: number;
  degradations: Degradation[];
}
