/**
 * Live trace: runs one statement inside a transaction on a real server, observes what it did to
 * the watched relations, and rolls back. This is how predictions are checked against reality
 * (the oracle tests) and how `dbops migrate` can show what a statement really does on a copy.
 *
 * Observed per relation:
 * - locks held by this backend afterwards (pg_locks, relation locks of pg_backend_pid()), and
 *   which of them were already held before the statement (taken by `setup`),
 * - a rewrite: pg_class.relfilenode changed,
 * - a full scan: pg_stat_xact_user_tables.seq_scan went up within the transaction,
 * - index builds: an index of the relation is new or got a new relfilenode.
 *
 * `dbops lint --verify` traces every statement this way on a scratch database, committing each
 * one so the next runs on its result; statements that refuse a transaction block are traced
 * alone (traceAlone: no lock observation, scans from the flushed cumulative statistics).
 */
import type { Client } from 'pg';
import { quoteIdent } from '../db/quote';
import { LOCK_MODES, lockRank, type LockMode } from './locks';

export interface TracedRelation {
  /** As regclass prints it (schema-qualified only when not on the search_path). */
  name: string;
  /** pg_class.relkind: r table, p partitioned table, i index, m materialized view, S sequence… */
  relkind: string;
  /** Every mode held after the statement, strongest first. */
  locks: LockMode[];
  /** Modes already held before it (taken by the setup in the same transaction). */
  heldBefore: LockMode[];
  rewritten: boolean;
  seqScans: number;
  /** Indexes of the relation built (new, or written anew) by the statement. */
  indexBuilds: number;
}

export interface TraceResult {
  /** Keyed by the names passed in `watch`, plus every other user relation the transaction locked. */
  relations: Record<string, TracedRelation>;
  /** Set when the statement failed (it was still rolled back); e.g. code 25001 for CONCURRENTLY in a transaction. */
  error?: { code?: string; message: string };
}

const SNAPSHOT_SQL = `
  SELECT w.name, c.oid::bigint AS oid, c.relkind::text AS relkind, c.relfilenode::bigint AS relfilenode,
         COALESCE(s.seq_scan, 0)::bigint AS seq_scan
    FROM unnest($1::text[]) AS w(name)
    JOIN pg_class c ON c.oid = to_regclass(w.name)
    LEFT JOIN pg_stat_xact_user_tables s ON s.relid = c.oid`;

/** Every index of the watched tables, with the file it is stored in. */
const INDEXES_SQL = `
  SELECT i.indrelid::bigint AS table_oid, i.indexrelid::bigint AS oid, c.relfilenode::bigint AS relfilenode
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
   WHERE i.indrelid = ANY($1::bigint[]::oid[])`;

interface IndexRow {
  table_oid: string;
  oid: string;
  relfilenode: string;
}

/**
 * How many indexes of each table got new storage between two listings. By relfilenode, not by
 * oid: ALTER COLUMN … TYPE re-creates an index it can keep under a new oid on the same storage
 * (nothing is built), while CREATE INDEX and REINDEX write new files.
 */
function indexBuildsByTable(before: IndexRow[], after: IndexRow[]): Map<string, number> {
  const old = new Set(before.map((r) => `${r.table_oid}/${r.relfilenode}`));
  const out = new Map<string, number>();
  for (const r of after) {
    // relfilenode 0: the index of a partitioned table, which has no storage and builds nothing.
    if (r.relfilenode !== '0' && !old.has(`${r.table_oid}/${r.relfilenode}`)) out.set(r.table_oid, (out.get(r.table_oid) ?? 0) + 1);
  }
  return out;
}

/** By oid, so a relation the statement dropped or renamed still matches its watched name. */
const LOCKS_SQL = `
  SELECT l.relation::bigint AS oid, c.oid::regclass::text AS name, c.relkind::text AS relkind, l.mode
    FROM pg_locks l
    LEFT JOIN pg_class c ON c.oid = l.relation
    LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted
     AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
     AND (n.nspname IS NULL OR n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast'))`;

interface Snapshot {
  name: string;
  oid: string;
  relkind: string;
  relfilenode: string;
  seq_scan: string;
}

interface LockRow {
  oid: string;
  name: string | null;
  relkind: string | null;
  mode: string;
}

/**
 * Runs `setup` (if any) and then `sql` in one transaction and rolls everything back. `watch`
 * names the relations whose rewrite and scans are observed; locks are reported for every user
 * relation.
 */
export async function traceStatement(client: Client, sql: string, watch: string[], setup?: string, options: { commit?: boolean } = {}): Promise<TraceResult> {
  await client.query('BEGIN');
  let failed = false;
  try {
    if (setup) await client.query(setup);
    const before = (await client.query<Snapshot>(SNAPSHOT_SQL, [watch])).rows;
    const indexesBefore = (await client.query<IndexRow>(INDEXES_SQL, [before.map((b) => b.oid)])).rows;
    const locksBefore = (await client.query<LockRow>(LOCKS_SQL)).rows;
    let error: TraceResult['error'];
    await client.query('SAVEPOINT dbops_trace');
    try {
      await client.query(sql);
    } catch (err) {
      const e = err as { code?: string; message?: string };
      error = { code: e.code, message: e.message ?? String(err) };
      failed = true;
      await client.query('ROLLBACK TO SAVEPOINT dbops_trace');
    }
    const after = new Map((await client.query<Snapshot>(SNAPSHOT_SQL, [watch])).rows.map((r) => [r.name, r]));
    const indexBuilds = indexBuildsByTable(indexesBefore, (await client.query<IndexRow>(INDEXES_SQL, [before.map((b) => b.oid)])).rows);
    const locksAfter = (await client.query<LockRow>(LOCKS_SQL)).rows;

    const relations: Record<string, TracedRelation> = {};
    const byOid = new Map<string, TracedRelation>();
    for (const b of before) {
      const a = after.get(b.name);
      const traced = tracedRelation(b, a, indexBuilds);
      relations[b.name] = traced;
      byOid.set(b.oid, traced);
    }
    const relationFor = (l: LockRow): TracedRelation => {
      let traced = byOid.get(l.oid);
      if (!traced) {
        // An unnamed oid is a relation that no longer exists (dropped by the statement).
        const name = l.name ?? `oid ${l.oid}`;
        traced = { name, relkind: l.relkind ?? '?', locks: [], heldBefore: [], rewritten: false, seqScans: 0, indexBuilds: 0 };
        relations[name] = traced;
        byOid.set(l.oid, traced);
      }
      return traced;
    };
    const add = (list: LockMode[], mode: string) => {
      if ((LOCK_MODES as readonly string[]).includes(mode) && !list.includes(mode as LockMode)) list.push(mode as LockMode);
    };
    for (const l of locksBefore) add(relationFor(l).heldBefore, l.mode);
    for (const l of locksAfter) add(relationFor(l).locks, l.mode);
    for (const t of Object.values(relations)) {
      t.locks.sort((x, y) => lockRank(y) - lockRank(x));
      t.heldBefore.sort((x, y) => lockRank(y) - lockRank(x));
    }
    return error ? { relations, error } : { relations };
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    await client.query(options.commit && !failed ? 'COMMIT' : 'ROLLBACK');
  }
}

/** Cumulative statistics of the watched relations, read after this backend's pending counts are flushed. */
const STATS_SQL = `
  SELECT w.name, c.oid::bigint AS oid, c.relkind::text AS relkind, c.relfilenode::bigint AS relfilenode,
         COALESCE(s.seq_scan, 0)::bigint AS seq_scan
    FROM unnest($1::text[]) AS w(name)
    JOIN pg_class c ON c.oid = to_regclass(w.name)
    LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid`;

async function flushedStats(client: Client, watch: string[]): Promise<Snapshot[]> {
  // The counts of the last statement are pending in this backend until it reports them: force that.
  await client.query('SELECT pg_stat_force_next_flush()');
  await client.query('SELECT pg_stat_clear_snapshot()');
  return (await client.query<Snapshot>(STATS_SQL, [watch])).rows;
}

/**
 * A statement that refuses a transaction block (CREATE INDEX CONCURRENTLY, VACUUM…), run on its
 * own and not undone: rewrites, scans and index builds are observed from the catalog and the
 * flushed cumulative statistics; its locks come and go inside it, so none are reported.
 */
export async function traceAlone(client: Client, sql: string, watch: string[]): Promise<TraceResult> {
  const before = await flushedStats(client, watch);
  const indexesBefore = (await client.query<IndexRow>(INDEXES_SQL, [before.map((b) => b.oid)])).rows;
  let error: TraceResult['error'];
  try {
    await client.query(sql);
  } catch (err) {
    const e = err as { code?: string; message?: string };
    error = { code: e.code, message: e.message ?? String(err) };
  }
  const after = new Map((await flushedStats(client, watch)).map((r) => [r.name, r]));
  const indexBuilds = indexBuildsByTable(indexesBefore, (await client.query<IndexRow>(INDEXES_SQL, [before.map((b) => b.oid)])).rows);
  const relations: Record<string, TracedRelation> = {};
  for (const b of before) {
    const a = after.get(b.name);
    relations[b.name] = tracedRelation(b, a, indexBuilds);
  }
  return error ? { relations, error } : { relations };
}

export interface BlockedTrace {
  /** The lock mode the statement asked for on `table` and had to wait for, if it did. */
  requested?: LockMode;
  error?: { code?: string; message: string };
}

const WAITING_SQL = `
  SELECT l.mode
    FROM pg_locks l
   WHERE l.pid = $1 AND l.locktype = 'relation' AND NOT l.granted AND l.relation = to_regclass($2)`;

/**
 * For statements that cannot run inside a transaction block (CREATE INDEX CONCURRENTLY, VACUUM…):
 * `blocker` holds SHARE UPDATE EXCLUSIVE on `table` — which conflicts with every mode from
 * SHARE UPDATE EXCLUSIVE up — while `runner` starts the statement, so the first lock it asks for
 * on the table shows in pg_locks as waiting. Then the blocker lets go and the statement finishes
 * (it is not rolled back: undo it yourself). `table` is a name as written, optionally schema.name.
 */
export async function traceBlocked(runner: Client, blocker: Client, sql: string, table: string, deadlineMs = 5000): Promise<BlockedTrace> {
  const pid = (await runner.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
  await blocker.query('BEGIN');
  let finished = false;
  let error: BlockedTrace['error'];
  let requested: LockMode | undefined;
  try {
    await blocker.query(`LOCK TABLE ${quoteIdent(...table.split('.'))} IN SHARE UPDATE EXCLUSIVE MODE`);
    const running = runner.query(sql).then(
      () => undefined,
      (err: { code?: string; message?: string }) => {
        error = { code: err.code, message: err.message ?? String(err) };
      },
    );
    void running.finally(() => (finished = true));
    const until = Date.now() + deadlineMs;
    while (!finished && requested === undefined && Date.now() < until) {
      const rows = (await blocker.query<{ mode: string }>(WAITING_SQL, [pid, table])).rows;
      if (rows.length) requested = rows[0].mode as LockMode;
      else await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await blocker.query('ROLLBACK');
    await running;
  } catch (err) {
    await blocker.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  return error ? { requested, error } : { requested };
}

/** A relation's trace from its snapshots before and after (locks are filled in by the caller). */
function tracedRelation(b: Snapshot, a: Snapshot | undefined, indexBuilds: Map<string, number>): TracedRelation {
  return {
    name: b.name,
    relkind: b.relkind,
    locks: [],
    heldBefore: [],
    rewritten: a !== undefined && a.relfilenode !== b.relfilenode,
    // The statistics queries themselves read no user table.
    seqScans: a ? Number(a.seq_scan) - Number(b.seq_scan) : 0,
    indexBuilds: indexBuilds.get(b.oid) ?? 0,
  };
}
