import type { Client } from 'pg';
import type { LockMode } from '../effects/locks';
import { hidePasswords, type Blocker } from './blockers';
import { conflictingModes, type LockTarget } from './lock-targets';

/** A session holding (or queued for) a lock that conflicts with one a target needs. */
export interface LockHolder extends Blocker {
  /** The relation as the catalog names it. */
  relation: string;
  relid: number;
  wanted: LockMode;
  held: string;
  /** False: it is itself queued for the lock, ahead of us. */
  granted: boolean;
}

export interface ResolvedTarget extends LockTarget {
  oid: number;
  /** pg_class.relkind: LOCK TABLE takes only tables ('r', 'p'). */
  relkind: string;
  schemaName: string;
  relname: string;
}

/**
 * Resolves relation names the way the session's search_path would, from pg_class and
 * pg_namespace alone: no regclass input, which could wait on nothing today but is not a catalog
 * read by contract. Relations that do not exist (yet) are left out.
 */
const RESOLVE_SQL = `
SELECT t.i, c.oid::int8 AS oid, c.relkind, c.nspname, c.relname
  FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(schema, name, i)
  CROSS JOIN LATERAL (
    SELECT c.oid, c.relkind, n.nspname, c.relname
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relname = t.name
       AND (n.nspname = t.schema OR (t.schema IS NULL AND n.nspname = ANY (current_schemas(true))))
     ORDER BY array_position(current_schemas(true), n.nspname)
     LIMIT 1
  ) c`;

export async function resolveTargets(client: Client, targets: LockTarget[]): Promise<ResolvedTarget[]> {
  if (targets.length === 0) return [];
  const parts = targets.map((t) => {
    const names = t.relation.name.split('.');
    return { schema: names.length > 1 ? names[names.length - 2] : null, name: names[names.length - 1] };
  });
  const { rows } = await client.query<{ i: string; oid: string; relkind: string; nspname: string; relname: string }>(RESOLVE_SQL, [
    parts.map((p) => p.schema),
    parts.map((p) => p.name),
  ]);
  return rows.map((r) => ({ ...targets[Number(r.i) - 1], oid: Number(r.oid), relkind: r.relkind, schemaName: r.nspname, relname: r.relname }));
}

/**
 * Sessions whose relation locks conflict with what the targets need, granted or queued, oldest
 * transaction first; only those whose transaction is at least `minAgeMs` old (younger ones are
 * most likely short and will be gone by the time our own short attempt would have to give up).
 * Without pg_read_all_stats another role's xact_start reads NULL: of unknown age, it counts.
 */
const HOLDERS_SQL = `
WITH wanted AS (
  SELECT * FROM unnest($1::oid[], $2::text[], $3::text[]) AS w(relid, wanted, conflicting)
)
SELECT DISTINCT ON (a.pid)
       CASE WHEN pg_table_is_visible(c.oid) THEN quote_ident(c.relname) ELSE quote_ident(n.nspname) || '.' || quote_ident(c.relname) END AS relation,
       w.relid::int8 AS relid, w.wanted, l.mode AS held, l.granted,
       a.pid, a.application_name, a.usename, host(a.client_addr) AS client_addr, a.state,
       extract(epoch FROM clock_timestamp() - a.xact_start)::float8 AS xact_age,
       extract(epoch FROM clock_timestamp() - a.state_change)::float8 AS state_age,
       left(a.query, 300) AS query
  FROM wanted w
  JOIN pg_locks l ON l.locktype = 'relation' AND l.relation = w.relid AND l.mode = w.conflicting
                 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
  JOIN pg_stat_activity a ON a.pid = l.pid
  JOIN pg_class c ON c.oid = w.relid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE l.pid <> ALL ($4::int[])
   AND (a.xact_start IS NULL OR clock_timestamp() - a.xact_start >= $5 * interval '1 millisecond')
 ORDER BY a.pid, l.granted DESC`;

export async function conflictingHolders(client: Client, targets: ResolvedTarget[], exceptPids: number[], minAgeMs = 0): Promise<LockHolder[]> {
  if (targets.length === 0) return [];
  const pairs = targets.flatMap((t) => conflictingModes(t.mode).map((m) => ({ oid: t.oid, wanted: t.mode, conflicting: m })));
  const { rows } = await client.query(HOLDERS_SQL, [pairs.map((p) => p.oid), pairs.map((p) => p.wanted), pairs.map((p) => p.conflicting), exceptPids, minAgeMs]);
  return rows
    .map(
      (r): LockHolder => ({
        relation: r.relation,
        relid: Number(r.relid),
        wanted: r.wanted,
        held: r.held,
        granted: r.granted,
        pid: r.pid,
        applicationName: r.application_name,
        user: r.usename,
        clientAddr: r.client_addr,
        state: r.state,
        transactionAge: r.xact_age,
        stateAge: r.state_age,
        query: r.query === '<insufficient privilege>' ? null : hidePasswords(r.query),
      }),
    )
    .sort((a, b) => (b.transactionAge ?? 0) - (a.transactionAge ?? 0));
}
