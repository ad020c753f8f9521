import { DbopsError } from '../core/errors';
import { EXIT } from '../core/exit-codes';
import { formatSeconds } from '../util/duration';
import { dbopsCommand } from '../core/dbops-command';

/** The server session holding a backfill's runner lock, from pg_locks and pg_stat_activity. */
export interface ClaimHolder {
  pid: number;
  applicationName: string;
  clientAddr: string | null;
  /** pg_stat_activity.state: 'idle', 'active', 'idle in transaction', … */
  state: string | null;
  /** Seconds since the session last changed state (last statement started or ended). */
  idleFor: number;
}

/**
 * A live runner touches its session at least every few seconds (it re-reads the state row every
 * 250 ms while it waits, and backs off at most 5 s between retries); a claim whose session has
 * been idle far longer has nobody driving it.
 */
export const ABANDONED_AFTER_S = 60;

/** Whether the process named in a state row's owner ("host pid N") still exists, when it ran on this host. */
export function ownerProcessGone(owner: string | null, thisHost: string, alive: (pid: number) => boolean): boolean {
  const m = owner?.match(/^(.+) pid (\d+)$/);
  return Boolean(m && m[1] === thisHost && !alive(Number(m[2])));
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Why `backfill run` cannot take a backfill over, and what to do. A claim left behind — its
 * process gone (kill -9 on a connection the server has not noticed yet, or a run through a
 * transaction-pooling proxy, whose session lock stays on a pooled server connection) — says so
 * and names the server process to end, so the operator is never stuck rerunning into it.
 */
export function claimedError(name: string, owner: string | null, holder: ClaimHolder | undefined, ownerGone: boolean): DbopsError {
  const by = owner ? ` by ${owner}` : '';
  if (!holder) {
    // Released between our try and our look: the next run gets it.
    return new DbopsError(`backfill ${name} was being run${by} a moment ago`, { exitCode: EXIT.failed, hint: 'rerun the same command' });
  }
  const session = `server process ${holder.pid} (application '${holder.applicationName}'${holder.clientAddr ? `, from ${holder.clientAddr}` : ''}, ${holder.state ?? 'state unknown'} for ${formatSeconds(holder.idleFor)})`;
  const endIt = `end that session with SELECT pg_terminate_backend(${holder.pid}); then rerun the same command to resume`;
  if (ownerGone) {
    return new DbopsError(`backfill ${name} is claimed by a runner that is gone: ${owner} no longer exists, but ${session} still holds its claim`, {
      exitCode: EXIT.failed,
      hint: endIt,
    });
  }
  if (holder.state === 'idle' && holder.idleFor >= ABANDONED_AFTER_S) {
    return new DbopsError(`backfill ${name} is claimed${by}, but its ${session} looks abandoned: a running backfill uses its session every few seconds`, {
      exitCode: EXIT.failed,
      hint: `if that runner is not running any more (a run through a transaction-pooling proxy leaves its claim on a pooled connection), ${endIt}`,
    });
  }
  return new DbopsError(`backfill ${name} is already being run${by} (${session})`, {
    exitCode: EXIT.failed,
    hint: `wait for it, or control it with ${dbopsCommand(`backfill status|pause|cancel ${name}`)}`,
  });
}
