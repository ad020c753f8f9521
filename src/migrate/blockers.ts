import type { Client } from 'pg';
import { redactSecrets } from '../db/redact';
import { formatSeconds } from '../util/duration';

/** A session that held a lock the runner was waiting for, as pg_stat_activity showed it. */
export interface Blocker {
  pid: number;
  applicationName: string;
  user: string | null;
  clientAddr: string | null;
  state: string | null;
  /** Seconds since the blocker's transaction began (null: not in a transaction). */
  transactionAge: number | null;
  /** Seconds in its current state (how long it has been idle in transaction, say). */
  stateAge: number | null;
  query: string | null;
}

/** What the runner was waiting for and who was in the way, at the last sample. */
export interface BlockerSample {
  /** e.g. "AccessExclusiveLock on public.accounts", or "virtualxid" for CONCURRENTLY builds waiting on old transactions. */
  waitingFor: string | null;
  blockers: Blocker[];
}

/** Catalog joins, not regclass output: naming the relation must never wait on it. */
const SAMPLE_SQL = `
WITH waiting AS (
  SELECT l.mode, l.locktype,
         CASE WHEN pg_table_is_visible(c.oid) THEN quote_ident(c.relname) ELSE quote_ident(n.nspname) || '.' || quote_ident(c.relname) END AS rel
    FROM pg_locks l
    LEFT JOIN pg_class c ON c.oid = l.relation
    LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE l.pid = $1 AND NOT l.granted LIMIT 1
)
SELECT (SELECT CASE WHEN rel IS NOT NULL THEN mode || ' on ' || rel ELSE mode || ' (' || locktype || ')' END FROM waiting) AS waiting_for,
       a.pid, a.application_name, a.usename, host(a.client_addr) AS client_addr, a.state,
       extract(epoch FROM now() - a.xact_start)::float8 AS xact_age,
       extract(epoch FROM now() - a.state_change)::float8 AS state_age,
       left(a.query, 300) AS query
  FROM pg_stat_activity a
 WHERE a.pid = ANY (pg_blocking_pids($1))
 ORDER BY a.xact_start NULLS LAST`;

export async function sampleBlockers(monitor: Client, runnerPid: number): Promise<BlockerSample | undefined> {
  const { rows } = await monitor.query(SAMPLE_SQL, [runnerPid]);
  if (rows.length === 0) return undefined;
  return {
    waitingFor: rows[0].waiting_for,
    blockers: rows.map((r) => ({
      pid: r.pid,
      applicationName: r.application_name,
      user: r.usename,
      clientAddr: r.client_addr,
      state: r.state,
      transactionAge: r.xact_age,
      stateAge: r.state_age,
      query: r.query === '<insufficient privilege>' ? null : hidePasswords(r.query),
    })),
  };
}

/**
 * Samples who blocks the runner, from the monitor connection, for as long as `work` runs. The
 * last non-empty sample is kept: it names the session still in the way when the lock timeout
 * fired. Sampling errors are ignored — they must never fail the migration itself.
 */
export async function watchBlockers<T>(
  monitor: Client,
  runnerPid: number,
  intervalMs: number,
  work: () => Promise<T>,
  onSample?: (sample: BlockerSample) => void,
): Promise<{ result?: T; error?: unknown; sample?: BlockerSample }> {
  let sample: BlockerSample | undefined;
  let done = false;
  let inFlight: Promise<void> = Promise.resolve();
  const tick = () => {
    if (done) return;
    inFlight = sampleBlockers(monitor, runnerPid)
      .then((s) => {
        if (s && !done) {
          sample = s;
          onSample?.(s);
        }
      })
      .catch(() => undefined)
      .finally(() => {
        if (!done) timer = setTimeout(tick, intervalMs);
      });
  };
  let timer: NodeJS.Timeout = setTimeout(tick, Math.min(intervalMs, 50));
  let outcome: { result?: T; error?: unknown };
  try {
    outcome = { result: await work() };
  } catch (error) {
    outcome = { error };
  }
  done = true;
  clearTimeout(timer);
  await inFlight;
  return { ...outcome, sample };
}

/** A blocker's query may set a password (ALTER ROLE … PASSWORD '…'); it must not reach logs. */
export function hidePasswords(query: string | null): string | null {
  return query === null ? null : redactSecrets(query).replace(/(\bpassword\s+)'(?:[^']|'')*'/gi, "$1'***'");
}

export function describeBlocker(b: Blocker): string {
  const parts = [`pid ${b.pid}`, `application '${b.applicationName || '?'}'`];
  if (b.user) parts.push(`user ${b.user}`);
  if (b.clientAddr) parts.push(`from ${b.clientAddr}`);
  if (b.state) parts.push(b.stateAge !== null ? `${b.state} for ${formatSeconds(b.stateAge)}` : b.state);
  if (b.transactionAge !== null) parts.push(`transaction open ${formatSeconds(b.transactionAge)}`);
  // pg_stat_activity hides other roles' state and query unless we may read all statistics.
  if (b.state === null && b.query === null) parts.push('its state and query are hidden from this role (grant it pg_read_all_stats to see them)');
  const query = b.query ? `: ${oneLine(b.query)}` : '';
  return parts.join(', ') + query;
}

function oneLine(q: string): string {
  const flat = q.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 117)}...` : flat;
}
