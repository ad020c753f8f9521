/**
 * Statements that only read and could run on a replica: a SELECT of tables with no FOR
 * UPDATE/SHARE, no writable CTE, no SELECT INTO, and no function that is volatile in the
 * server's catalog (a volatile function may write: nextval, advisory locks, a user's function),
 * except the volatile built-ins known to have no effect beyond their result.
 */
import type { ReplicaRead } from './model';
import { statementRef, type ReadStatement } from './statements';

/** Volatile in pg_proc, yet nothing but a value: safe on a replica. */
const HARMLESS_VOLATILE = new Set(['random', 'random_normal', 'gen_random_uuid', 'uuid_generate_v1', 'uuid_generate_v1mc', 'uuid_generate_v4', 'clock_timestamp', 'timeofday', 'pg_sleep']);

/** Why the statement must stay on the primary, or null when it could move to a replica. */
export function primaryOnlyReason(s: ReadStatement, volatility: ReadonlyMap<string, boolean>): string | null {
  if (s.shape.kind !== 'select') return `${s.shape.kind.toUpperCase()} writes`;
  if (s.shape.notReadOnly) return s.shape.notReadOnly;
  for (const fn of s.shape.functions) {
    if (HARMLESS_VOLATILE.has(fn)) continue;
    const volatile = volatility.get(fn);
    if (volatile === undefined) return `calls ${fn}(), which this database does not know`;
    if (volatile) return `calls the volatile function ${fn}()`;
  }
  return null;
}

/** Read-only statements that read user tables (not only catalogs), most total time first, then most calls. */
export function replicaReads(statements: ReadStatement[], volatility: ReadonlyMap<string, boolean>, seconds: number, top: number): ReplicaRead[] {
  return statements
    .filter((s) => s.touchesUserTable && primaryOnlyReason(s, volatility) === null)
    .map((s) => ({
      ...statementRef(s),
      tables: s.reads,
      calls: s.delta.row.calls,
      totalMs: s.delta.row.totalMs,
      meanMs: s.delta.row.calls > 0 ? s.delta.row.totalMs / s.delta.row.calls : 0,
      callsPerSecond: s.delta.calls / seconds,
    }))
    .sort((a, b) => b.totalMs - a.totalMs || b.calls - a.calls || a.queryid.localeCompare(b.queryid))
    .slice(0, top);
}
