import type { Client } from 'pg';
import { DbopsError } from '../core/errors';
import { openSession, type Session } from '../db/connect';
import { refuseTransactionPooling, transactionPoolingError } from '../db/pooling';

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
    const runnerPid = await refuseTransactionPooling(runner, monitor, POOLING_CHECK);
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

const POOLING_CHECK = { command: 'dbops migrate', sessionState: 'its lock_timeout and single-runner advisory lock' };

function poolingError(label: string, evidence: string): DbopsError {
  return transactionPoolingError(label, evidence, POOLING_CHECK);
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
