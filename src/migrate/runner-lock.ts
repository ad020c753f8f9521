import type { Client } from 'pg';
import { DbopsError } from '../core/errors';
import { EXIT } from '../core/exit-codes';
import { formatDuration, formatSeconds } from '../util/duration';

/**
 * One runner at a time per database: a session-level advisory lock on the runner's own
 * connection. It is only ever taken with pg_try_advisory_lock and polled from the client, so the
 * runner never waits inside a transaction — a blocked pg_advisory_lock() call would be an open
 * transaction that our own CREATE INDEX CONCURRENTLY (which waits for older transactions) could
 * end up waiting for.
 */
const LOCK_CLASS = 0x64626f70; // "dbop"
const LOCK_OBJECT = 1; // migrate

export interface RunnerLockHolder {
  pid: number;
  applicationName: string;
  user: string;
  clientAddr: string | null;
  state: string | null;
  /** Seconds since the holder connected. */
  connectedFor: number;
}

export function describeHolder(h: RunnerLockHolder): string {
  const from = h.clientAddr ? `, from ${h.clientAddr}` : '';
  return `pid ${h.pid}, application '${h.applicationName}', user ${h.user}${from}, connected ${formatSeconds(h.connectedFor)} ago`;
}

async function tryLock(client: Client): Promise<boolean> {
  const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [LOCK_CLASS, LOCK_OBJECT]);
  return rows[0].ok;
}

export async function findRunnerLockHolder(client: Client): Promise<RunnerLockHolder | undefined> {
  const { rows } = await client.query(
    `SELECT a.pid, a.application_name, a.usename, host(a.client_addr) AS client_addr, a.state,
            extract(epoch FROM now() - a.backend_start)::float8 AS connected_for
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1::int8::oid AND l.objid = $2::int8::oid AND l.objsubid = 2`,
    [LOCK_CLASS, LOCK_OBJECT],
  );
  const r = rows[0];
  if (!r) return undefined;
  return { pid: r.pid, applicationName: r.application_name, user: r.usename, clientAddr: r.client_addr, state: r.state, connectedFor: r.connected_for };
}

/** True when the lock is held by the backend this client is connected to right now. */
export async function holdsRunnerLock(client: Client): Promise<boolean> {
  const { rows } = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_locks
      WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid() AND classid = $1::int8::oid AND objid = $2::int8::oid AND objsubid = 2`,
    [LOCK_CLASS, LOCK_OBJECT],
  );
  return rows[0].n === 1;
}

export async function releaseRunnerLock(client: Client): Promise<void> {
  await client.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_CLASS, LOCK_OBJECT]);
}

export interface AcquireOptions {
  wait: boolean;
  /** With wait: give up after this long (undefined: wait as long as it takes). */
  waitTimeoutMs?: number;
  pollMs?: number;
  /** Called once when we start waiting, with who holds the lock. */
  onWaiting?: (holder: RunnerLockHolder | undefined) => void;
  /** Stops waiting (Ctrl-C): throws `interrupted`. */
  signal?: AbortSignal;
  interrupted?: () => Error;
}

export async function acquireRunnerLock(client: Client, opts: AcquireOptions): Promise<void> {
  if (await tryLock(client)) return;
  const holder = await findRunnerLockHolder(client);
  const who = holder ? ` (${describeHolder(holder)})` : '';
  if (!opts.wait) {
    throw new DbopsError(`another dbops migrate is already running on this database${who}`, {
      exitCode: EXIT.failed,
      hint: 'wait for it to finish, or rerun with --wait to queue behind it',
    });
  }
  opts.onWaiting?.(holder);
  const started = Date.now();
  const pollMs = opts.pollMs ?? 500;
  for (;;) {
    await new Promise((r) => setTimeout(r, pollMs));
    if (opts.signal?.aborted && opts.interrupted) throw opts.interrupted();
    if (await tryLock(client)) return;
    if (opts.waitTimeoutMs !== undefined && Date.now() - started >= opts.waitTimeoutMs) {
      const still = await findRunnerLockHolder(client);
      throw new DbopsError(
        `gave up after waiting ${formatDuration(opts.waitTimeoutMs)} for another dbops migrate to finish${still ? ` (${describeHolder(still)})` : ''}`,
        { exitCode: EXIT.failed, hint: 'check what that run is doing, or raise --wait-timeout' },
      );
    }
  }
}
