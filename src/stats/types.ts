/**
 * A stats snapshot (`dbops stats snapshot > dbops-stats.json`): sizes, row estimates and write
 * rates of a server's tables, and the throughput measured on it, so `dbops lint --stats` can say
 * how long a lock would be held on the user's own tables. Tables are listed with their schema:
 * public.orders and sales.orders are two entries and never collide.
 */
export const STATS_SCHEMA_VERSION = 1;

export interface TableStats {
  schema: string;
  name: string;
  /** The table's main fork plus its TOAST (pg_table_size). */
  heapBytes: number;
  /** All its indexes (pg_indexes_size). */
  indexBytes: number;
  /** pg_class.reltuples; -1 when never analysed. */
  rowEstimate: number;
  indexes: Array<{ name: string; bytes: number }>;
  /** Rows inserted, updated and deleted per second since the statistics were reset. */
  writesPerSecond: number;
}

export interface Throughput {
  /** Reading a table sequentially in one process (SET NOT NULL, CHECK and foreign key validation). */
  scanBytesPerSecond: number;
  /** Rewriting a table and rebuilding its indexes (ALTER COLUMN TYPE, VACUUM FULL…), per byte of table plus indexes. */
  rewriteBytesPerSecond: number;
  /** "measured": timed on this server by the snapshot; "default": nothing large enough to time (see docs/commands/stats-snapshot.md). */
  source: 'measured' | 'default';
  /** The table whose sequential read was timed. */
  measuredOn?: string;
}

export interface StatsSnapshot {
  schemaVersion: number;
  takenAt: string;
  server: { version: string };
  throughput: Throughput;
  tables: TableStats[];
}
