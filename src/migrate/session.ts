import type { Client } from 'pg';
import { DbopsError } from '../core/errors';
import { EXIT } from '../core/exit-codes';
import { openSession, type Session } from '../db/connect';

export const RUNNER_APPLICATION = 'dbops migrate';
export const MONITOR_APPLICATION = 'dbops migrate (monitor)';

export interface SessionLimits {
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
}

/**
 * The runner's two connections: `runner` runs the migrations and holds the advisory lock;
 * `monitor` watches the runner while a statement waits (who blocks it) and can cancel it.
 */
export interface MigrateSessions {
  runner: Session;
  monitor: Session;
  runnerPid: number;
  serverVersionNum: number;
  /** The database role migrations run as. */
  role: string;
  close(): Promise<void>;
}

export async function openMigrateSessions(url: string | undefined, limits: SessionLimits): Promise<MigrateSessions> {
  const runner = await openSession({ url, applicationName: RUNNER_APPLICATION });
  let monitor: Session | undefined;
  try {
    monitor = await openSession({ url, applicationName: MONITOR_APPLICATION, statementTimeoutMs: 5000 });
    await monitor.client.query("SET lock_timeout = '1s'");
    const runnerPid = await refuseTransactionPooling(runner, monitor);
    const { rows } = await runner.client.query<{ v: string; role: string }>("SELECT current_setting('server_version_num') AS v, current_user AS role");
    const serverVersionNum = Number(rows[0].v);
    await applyLimits(runner.client, limits, serverVersionNum);
    await confirmLimitsHeld(runner, limits);
    const m = monitor;
    return { runner, monitor: m, runnerPid, serverVersionNum, role: rows[0].role, close: async () => Promise.all([runner.close(), m.close()]).then(() => undefined) };
  } catch (err) {
    await runner.close();
    await monitor?.close();
    throw err;
  }
}

/**
 * Session settings for the runner's own connection. Re-applied before every migration, since a
 * migration's own SET (without LOCAL) outlives its transaction.
 */
export async function applyLimits(client: Client, limits: SessionLimits, serverVersionNum: number): Promise<void> {
  await client.query(
    `SELECT set_config('lock_timeout', $1, false), set_config('statement_timeout', $2, false),
            set_config('idle_in_transaction_session_timeout', $3, false)`,
    [`${Math.round(limits.lockTimeoutMs)}ms`, `${Math.round(limits.statementTimeoutMs)}ms`, `${Math.round(limits.idleInTransactionTimeoutMs)}ms`],
  );
  if (serverVersionNum >= 140000) {
    // If this process dies mid-statement, the server notices within a second and rolls back,
    // instead of finishing a long statement for nobody while holding its locks.
    await client.query("SET client_connection_check_interval = '1s'");
  }
}

function poolingError(label: string, evidence: string): DbopsError {
  return new DbopsError(`${label} looks like a transaction-pooling proxy (e.g. PgBouncer pool_mode=transaction): ${evidence}`, {
    exitCode: EXIT.usage,
    hint: 'connect dbops migrate directly to the primary (or through a session-mode pool): its lock_timeout and single-runner advisory lock must stay on one server connection',
  });
}

/**
 * A transaction-pooling proxy hands each transaction to whichever server connection is free, so
 * `SET lock_timeout` and a session advisory lock would land on connections other sessions then
 * use. Two client sessions that see the same backend pid, or a pid that changes between two
 * statements, can only come from such a proxy.
 */
async function refuseTransactionPooling(runner: Session, monitor: Session): Promise<number> {
  const pid = async (s: Session) => (await s.client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
  const first = await pid(runner);
  const other = await pid(monitor);
  const again = await pid(runner);
  if (first === other) throw poolingError(runner.target.label, `two separate connections were served by the same server process (pid ${first})`);
  if (first !== again) throw poolingError(runner.target.label, `consecutive statements on one connection ran in different server processes (pid ${first}, then ${again})`);
  return first;
}

async function confirmLimitsHeld(runner: Session, limits: SessionLimits): Promise<void> {
  const { rows } = await runner.client.query<{ setting: string }>("SELECT setting FROM pg_settings WHERE name = 'lock_timeout'");
  if (Number(rows[0].setting) !== Math.round(limits.lockTimeoutMs)) {
    throw poolingError(runner.target.label, `lock_timeout set on this connection did not persist to the next statement (it reads ${rows[0].setting} ms)`);
  }
}

/** Checked after taking the runner lock: a pooled connection would not see its own session lock. */
export function lockNotHeldError(label: string): DbopsError {
  return poolingError(label, 'the advisory lock taken on this connection is not held by the server process serving the next statement');
}
