import type { Client } from 'pg';
import { quoteIdent } from '../db/quote';
import { STATS_SCHEMA_VERSION, type StatsSnapshot, type TableStats, type Throughput } from './types';

/**
 * Collects a stats snapshot over a read-only session: every ordinary and partitioned table
 * outside the system schemas with its size, row estimate, indexes and write rate, and the
 * server's sequential read throughput, timed on its largest table.
 */
export async function collectStatsSnapshot(client: Client, now: () => Date = () => new Date()): Promise<StatsSnapshot> {
  const version = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;
  const tables = await collectTables(client);
  return { schemaVersion: STATS_SCHEMA_VERSION, takenAt: now().toISOString(), server: { version }, throughput: await measureThroughput(client, tables), tables };
}

const TABLES_SQL = `
SELECT n.nspname AS schema, c.relname AS name,
       pg_table_size(c.oid)::float8 AS heap_bytes, pg_indexes_size(c.oid)::float8 AS index_bytes,
       c.reltuples::float8 AS row_estimate,
       coalesce((SELECT json_agg(json_build_object('name', i.relname, 'bytes', pg_relation_size(i.oid)) ORDER BY i.relname)
                 FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = c.oid), '[]') AS indexes,
       coalesce(s.n_tup_ins + s.n_tup_upd + s.n_tup_del, 0)::float8 AS writes,
       greatest(extract(epoch FROM now() - coalesce(d.stats_reset, pg_postmaster_start_time())), 1)::float8 AS seconds
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
LEFT JOIN pg_stat_database d ON d.datname = current_database()
WHERE c.relkind IN ('r', 'p', 'm')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
ORDER BY n.nspname, c.relname`;

interface TableRow {
  schema: string;
  name: string;
  heap_bytes: number;
  index_bytes: number;
  row_estimate: number;
  indexes: Array<{ name: string; bytes: number }>;
  writes: number;
  seconds: number;
}

async function collectTables(client: Client): Promise<TableStats[]> {
  const { rows } = await client.query<TableRow>(TABLES_SQL);
  return rows.map((r) => ({
    schema: r.schema,
    name: r.name,
    heapBytes: r.heap_bytes,
    indexBytes: r.index_bytes,
    rowEstimate: r.row_estimate,
    indexes: r.indexes.map((i) => ({ name: i.name, bytes: Number(i.bytes) })),
    writesPerSecond: Math.round((r.writes / r.seconds) * 100) / 100,
  }));
}

/**
 * Defaults when no table is big enough to time: a sequential read of 500 MB/s and a rewrite a
 * tenth of that (what PostgreSQL 15 did on the benchmark machine, docs/benchmarks.md).
 */
export const DEFAULT_SCAN_BYTES_PER_SECOND = 500 * 1024 ** 2;
/** A rewrite reads, converts and writes every row (with WAL) and rebuilds the indexes: about 10x a plain read. */
export const REWRITE_TO_SCAN_RATIO = 1 / 10;
/** Below this a read is over before it can be timed well. */
const MIN_TIMED_BYTES = 8 * 1024 ** 2;
/** Enough to time; more would only load the server. */
const MAX_TIMED_BYTES = 64 * 1024 ** 2;
const TIMED_READS = 5;

/**
 * Times a sequential read of up to 64 MB of the largest table (median of five) in one process (parallel workers
 * off: ALTER TABLE's scans use none), by the server's own clock (EXPLAIN ANALYZE, which only
 * reads). A rewrite cannot be timed read-only: its throughput is the read's times
 * REWRITE_TO_SCAN_RATIO.
 */
async function measureThroughput(client: Client, tables: TableStats[]): Promise<Throughput> {
  const largest = [...tables].filter((t) => t.rowEstimate > 0).sort((a, b) => b.heapBytes - a.heapBytes)[0];
  if (!largest || largest.heapBytes < MIN_TIMED_BYTES) {
    return { scanBytesPerSecond: DEFAULT_SCAN_BYTES_PER_SECOND, rewriteBytesPerSecond: DEFAULT_SCAN_BYTES_PER_SECOND * REWRITE_TO_SCAN_RATIO, source: 'default' };
  }
  const bytes = Math.min(largest.heapBytes, MAX_TIMED_BYTES);
  const rows = Math.max(1, Math.ceil((largest.rowEstimate * bytes) / largest.heapBytes));
  await client.query('SET max_parallel_workers_per_gather = 0');
  try {
    const timings: number[] = [];
    // The median of five reads: on a busy server one read says more about its neighbours than about it.
    for (let i = 0; i < TIMED_READS; i++) {
      const plan = await client.query<{ 'QUERY PLAN': Array<{ 'Execution Time': number }> }>(
        `EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) SELECT count(*) FROM (SELECT 1 FROM ${quoteIdent(largest.schema, largest.name)} LIMIT ${rows}) s`,
      );
      timings.push(plan.rows[0]['QUERY PLAN'][0]['Execution Time'] / 1000);
    }
    const seconds = Math.max(timings.sort((a, b) => a - b)[Math.floor(TIMED_READS / 2)], 1e-3);
    const scan = bytes / seconds;
    return { scanBytesPerSecond: Math.round(scan), rewriteBytesPerSecond: Math.round(scan * REWRITE_TO_SCAN_RATIO), source: 'measured', measuredOn: `${largest.schema}.${largest.name}` };
  } finally {
    await client.query('RESET max_parallel_workers_per_gather');
  }
}
