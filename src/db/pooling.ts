import { DbopsError } from '../core/errors';
import { EXIT } from '../core/exit-codes';
import type { Session } from './connect';

/**
 * Commands that keep state on their server connection (a session advisory lock, session
 * settings) cannot run through a transaction-pooling proxy: it hands each transaction to
 * whichever server connection is free, so the lock and the settings end up on connections other
 * clients then use — and a lock outlives the process that took it.
 */
export interface PoolingCheck {
  /** e.g. 'dbops migrate', named in the hint. */
  command: string;
  /** What must stay on one server connection, e.g. 'its lock_timeout and single-runner advisory lock'. */
  sessionState: string;
}

export function transactionPoolingError(label: string, evidence: string, check: PoolingCheck): DbopsError {
  return new DbopsError(`${label} looks like a transaction-pooling proxy (e.g. PgBouncer pool_mode=transaction): ${evidence}`, {
    exitCode: EXIT.usage,
    hint: `connect ${check.command} directly to the primary (or through a session-mode pool): ${check.sessionState} must stay on one server connection`,
  });
}

/**
 * Two client sessions open at the same time that see the same backend pid, or one session whose
 * pid changes between two statements, can only come from such a proxy. `main` is the session
 * the command keeps; `probe` a second one open beside it. Returns main's backend pid.
 */
export async function refuseTransactionPooling(main: Session, probe: Session, check: PoolingCheck): Promise<number> {
  const pid = async (s: Session) => (await s.client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
  const first = await pid(main);
  const other = await pid(probe);
  const again = await pid(main);
  if (first === other) throw transactionPoolingError(main.target.label, `two separate connections were served by the same server process (pid ${first})`, check);
  if (first !== again) throw transactionPoolingError(main.target.label, `consecutive statements on one connection ran in different server processes (pid ${first}, then ${again})`, check);
  return first;
}
