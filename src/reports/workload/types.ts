/** What `dbops report workload` reads from the servers: raw samples, before any analysis. */

/** One row of pg_stat_user_tables with the autovacuum settings that apply to the table. */
export interface TableStatsRow {
  /** schema.name */
  name: string;
  schema: string;
  relname: string;
  inserts: number;
  updates: number;
  hotUpdates: number;
  deletes: number;
  liveTuples: number;
  deadTuples: number;
  /** Rows inserted since the last vacuum (PostgreSQL 13+), else null. */
  insertsSinceVacuum: number | null;
  /** pg_class.reltuples; -1 (never analysed) is read as 0. */
  reltuples: number;
  /** Seconds since the later of last_vacuum and last_autovacuum; null when never vacuumed. */
  sinceVacuumSeconds: number | null;
  /** Table-level reloptions that override the server's autovacuum settings. */
  autovacuumEnabled: boolean;
  vacuumThreshold: number | null;
  vacuumScaleFactor: number | null;
  insertThreshold: number | null;
  insertScaleFactor: number | null;
}

/** One row of pg_stat_statements for the connected database. */
export interface StatementRow {
  /** userid/queryid/toplevel: what identifies an entry across the two samples. */
  key: string;
  queryid: string;
  query: string;
  user: string;
  calls: number;
  totalMs: number;
  rows: number;
  /** pg_stat_statements.wal_bytes (PostgreSQL 13+), else null. */
  walBytes: number | null;
}

/** The server's autovacuum settings (the defaults reloptions override). */
export interface AutovacuumSettings {
  enabled: boolean;
  vacuumThreshold: number;
  vacuumScaleFactor: number;
  /** PostgreSQL 13+; null before (no insert-driven vacuum). */
  insertThreshold: number | null;
  insertScaleFactor: number | null;
}

/** Everything one sample of the primary holds. */
export interface PrimarySample {
  /** Server clock (clock_timestamp) when the sample was read, ms since the epoch. */
  at: number;
  tables: TableStatsRow[];
  /** Null when pg_stat_statements cannot be read (see `missing`). */
  statements: StatementRow[] | null;
  /** pg_stat_wal.wal_bytes (PostgreSQL 14+). */
  walBytes: number | null;
  /** The next transaction ID to be assigned (xmax of the current snapshot), for the XID rate. */
  nextXid: number;
}

/** Who holds the xmin horizon back, as read from the primary. */
export type HolderKind = 'session' | 'idle in transaction' | 'replication slot' | 'prepared transaction' | 'standby feedback';

export interface HorizonHolder {
  kind: HolderKind;
  /** What to look for: pid and application, slot name, gid, standby's application_name. */
  name: string;
  /** Extra facts: user, database, state, slot type, how much WAL a slot retains. */
  detail: string;
  /** Age of the xmin (or xid) held, in transactions. */
  xidAge: number;
  /** How long it has been held, when the server says (transaction or prepare time). */
  seconds: number | null;
  /** xidAge divided by the measured XID rate, when the server gives no time. */
  estimatedSeconds: number | null;
  pid?: number;
}

export interface ReplicationSlotRow {
  name: string;
  type: string;
  active: boolean;
  xminAge: number | null;
  catalogXminAge: number | null;
  /** Bytes of WAL kept for the slot (current LSN − restart_lsn). */
  retainedBytes: number | null;
  walStatus: string | null;
  database: string | null;
  plugin: string | null;
}

export interface DatabaseAge {
  database: string;
  /** age(datfrozenxid) */
  xidAge: number;
  /** Transactions left before the server stops assigning XIDs (2^31 − 3,000,000 − age). */
  headroom: number;
  headroomPercent: number;
}

/** One backend of pg_stat_activity, for workload isolation. */
export interface ActivityRow {
  application: string;
  user: string;
  state: string;
}

/** What could not be read and how to get it. */
export interface Degradation {
  /** What is missing from the report. */
  missing: string;
  /** The command that fixes it. */
  fix: string;
  /** Whether the horizon and thresholds can still be judged (false makes the report UNKNOWN). */
  blocksVerdict: boolean;
}
