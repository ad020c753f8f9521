/**
 * Live trace: runs one statement inside a transaction on a real server, observes what it did to
 * the watched tables, and rolls back. This is how predictions are checked against reality (the
 * oracle tests) and how `dbops migrate` can show what a statement really does on a copy.
 *
 * Observed, per watched table (and its indexes and TOAST table):
 * - locks held by this backend afterwards (pg_locks, relation locks of pg_backend_pid()),
 * - a rewrite: pg_class.relfilenode changed,
 * - a full scan: pg_stat_xact_user_tables.seq_scan went up within the transaction.
 */
import type { Client } from 'pg';
import { LOCK_MODES, lockRank, type LockMode } from './locks';

export interface TracedRelation {
  /** As regclass prints it (schema-qualified only when not on the search_path). */
  name: string;
  locks: LockMode[];
  rewritten: boolean;
  seqScans: number;
}

export interface TraceResult {
  /** Keyed by the names passed in `watch`, plus every other user relation the statement locked. */
  relations: Record<string, TracedRelation>;
  /** Set when the statement failed (it was still rolled back); e.g. code 25001 for CONCURRENTLY in a transaction. */
  error?: { code?: string; message: string };
}

const SNAPSHOT_SQL = `
  SELECT w.name, c.oid::bigint AS oid, c.relfilenode::bigint AS relfilenode,
         COALESCE(s.seq_scan, 0)::bigint AS seq_scan
    FROM unnest($1::text[]) AS w(name)
    JOIN pg_class c ON c.oid = to_regclass(w.name)
    LEFT JOIN pg_stat_xact_user_tables s ON s.relid = c.oid`;

/** By oid, so a table the statement dropped or renamed still matches its watched name. */
const LOCKS_SQL = `
  SELECT l.relation::bigint AS oid, c.oid::regclass::text AS name, l.mode
    FROM pg_locks l
    LEFT JOIN pg_class c ON c.oid = l.relation
    LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted
     AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
     AND (n.nspname IS NULL OR n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast'))`;

interface Snapshot {
  name: string;
  oid: string;
  relfilenode: string;
  seq_scan: string;
}

/**
 * Runs `sql` in a transaction (after `setup`, if given, in the same transaction) and rolls back.
 * `watch` names the tables whose rewrite and scans are observed.
 */
export async function traceStatement(client: Client, sql: string, watch: string[], setup?: string): Promise<TraceResult> {
  await client.query('BEGIN');
  try {
    if (setup) await client.query(setup);
    const before = (await client.query<Snapshot>(SNAPSHOT_SQL, [watch])).rows;
    let error: TraceResult['error'];
    await client.query('SAVEPOINT dbops_trace');
    try {
      await client.query(sql);
    } catch (err) {
      const e = err as { code?: string; message?: string };
      error = { code: e.code, message: e.message ?? String(err) };
      await client.query('ROLLBACK TO SAVEPOINT dbops_trace');
    }
    const after = new Map((await client.query<Snapshot>(SNAPSHOT_SQL, [watch])).rows.map((r) => [r.name, r]));
    const locks = (await client.query<{ oid: string; name: string | null; mode: string }>(LOCKS_SQL)).rows;
    const relations: Record<string, TracedRelation> = {};
    const byOid = new Map<string, TracedRelation>();
    for (const b of before) {
      const a = after.get(b.name);
      const traced: TracedRelation = {
        name: b.name,
        locks: [],
        rewritten: a !== undefined && a.relfilenode !== b.relfilenode,
        seqScans: a ? Number(a.seq_scan) - Number(b.seq_scan) : 0,
      };
      relations[b.name] = traced;
      byOid.set(b.oid, traced);
    }
    for (const l of locks) {
      if (!(LOCK_MODES as readonly string[]).includes(l.mode)) continue;
      let traced = byOid.get(l.oid);
      if (!traced) {
        // Our own catalog queries lock nothing outside pg_catalog; an unnamed oid is a relation the statement created and dropped.
        const name = l.name ?? `oid ${l.oid}`;
        traced = { name, locks: [], rewritten: false, seqScans: 0 };
        relations[name] = traced;
        byOid.set(l.oid, traced);
      }
      const mode = l.mode as LockMode;
      if (!traced.locks.includes(mode)) traced.locks.push(mode);
    }
    for (const t of Object.values(relations)) t.locks.sort((x, y) => lockRank(y) - lockRank(x));
    return error ? { relations, error } : { relations };
  } finally {
    await client.query('ROLLBACK');
  }
}
