import type { Client } from 'pg';
import { DbopsError, UsageError } from '../core/errors';
import { EXIT } from '../core/exit-codes';
import { withSession } from '../db/connect';
import { formatSeconds } from '../util/duration';
import { listStates, readState, requestStatus, stateTableExists } from './state-store';
import type { BackfillState, BackfillStatus } from './types';
import { dbopsCommand } from '../core/dbops-command';

const APPLICATION_NAME = 'dbops backfill control';

/** How long pause/resume/cancel wait for the state row: longer than any sane batch (default statement timeout 30 s). */
const CONTROL_LOCK_WAIT_MS = 60_000;

/** `status [name]`: the state rows, with whether a runner is attached. */
export async function backfillStatus(url: string | undefined, name?: string): Promise<BackfillState[]> {
  // One read-only transaction rather than a read-only session: a session setting would stay on
  // the server connection a transaction-pooling proxy hands to other clients next.
  return withSession({ url, applicationName: APPLICATION_NAME }, async ({ client }) =>
    inTransaction(client, 'BEGIN READ ONLY', async () => {
      if (!(await stateTableExists(client))) {
        if (name) throw noSuchBackfill(name);
        return [];
      }
      if (!name) return listStates(client);
      const state = await readState(client, name);
      if (!state) throw noSuchBackfill(name);
      return [state];
    }),
  );
}

const TRANSITIONS: Record<'pause' | 'resume' | 'cancel', { to: BackfillStatus; from: BackfillStatus[]; reason: string | null }> = {
  // An interrupted backfill is paused too, but a rerun would resume it; an operator's pause holds.
  pause: { to: 'paused', from: ['running', 'paused'], reason: 'operator' },
  resume: { to: 'running', from: ['paused'], reason: null },
  cancel: { to: 'cancelled', from: ['running', 'paused', 'failed'], reason: null },
};

/**
 * pause/resume/cancel from another terminal: only the state row changes; a runner notices before
 * its next batch (it locks the row at the start of every batch, so this waits at most one batch).
 * Returns the line to print.
 */
export async function controlBackfill(url: string | undefined, name: string, action: 'pause' | 'resume' | 'cancel'): Promise<string> {
  return withSession({ url, applicationName: APPLICATION_NAME }, async ({ client }) => {
    if (!(await stateTableExists(client))) throw noSuchBackfill(name);
    const t = TRANSITIONS[action];
    const { changed, state } = await inTransaction(client, 'BEGIN', async () => {
      // The runner's batch holds the state row for the whole batch: wait that long, whatever the
      // server's own lock_timeout (a short one made cancel fail with an internal error mid-batch).
      // Set for this transaction only, so nothing lingers on a pooled server connection.
      await client.query("SELECT set_config('lock_timeout', $1, true)", [`${CONTROL_LOCK_WAIT_MS}ms`]);
      return requestStatus(client, name, t.to, t.from, t.reason);
    }).catch((err) => {
      if ((err as { code?: string }).code !== '55P03') throw err;
      throw new DbopsError(`cannot ${action} backfill ${name}: its state row stayed locked for ${CONTROL_LOCK_WAIT_MS / 1000} s`, {
        exitCode: EXIT.failed,
        hint: `a batch (or another session) holds it: see pg_stat_activity for application_name 'dbops backfill', then rerun the ${action}`,
      });
    });
    if (!state) throw noSuchBackfill(name);
    if (!changed) {
      if (state.status === t.to) return `backfill ${name} is already ${state.status}`;
      throw new DbopsError(`cannot ${action} backfill ${name}: it is ${state.status}`, {
        exitCode: EXIT.failed,
        hint: state.status === 'failed' ? `rerun its ${dbopsCommand('backfill run')} command to retry, or cancel it` : `see ${dbopsCommand(`backfill status ${name}`)}`,
      });
    }
    const past = { pause: 'paused', resume: 'resumed', cancel: 'cancelled' }[action];
    if (!state.runnerAttached) {
      return action === 'resume'
        ? `backfill ${name} resumed, but no runner is attached: rerun its ${dbopsCommand('backfill run')} command to continue`
        : `backfill ${name} ${past}; no runner is attached`;
    }
    return `backfill ${name} ${past}; its runner ${action === 'resume' ? 'continues with the next batch' : 'stops before the next batch'}`;
  });
}

async function inTransaction<T>(client: Client, begin: 'BEGIN' | 'BEGIN READ ONLY', fn: () => Promise<T>): Promise<T> {
  await client.query(begin);
  try {
    const result = await fn();
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

function noSuchBackfill(name: string): UsageError {
  return new UsageError(`no backfill named ${name}`, `list them with ${dbopsCommand('backfill status')}`);
}

/** What `status` shows for a row: a 'running' row without a runner was interrupted (killed). */
export function effectiveStatus(s: BackfillState): string {
  if (s.status === 'running' && !s.runnerAttached) return 'interrupted (no runner)';
  if (s.status === 'paused' && s.pauseReason) return `paused (${s.pauseReason})`;
  return s.status;
}

export function statusRecord(s: BackfillState) {
  const elapsed = ((s.finishedAt ?? s.updatedAt).getTime() - (s.startedAt ?? s.createdAt).getTime()) / 1000;
  return {
    name: s.name,
    table: s.tableName,
    key: s.keyColumns,
    status: s.status,
    state: effectiveStatus(s),
    runnerAttached: Boolean(s.runnerAttached),
    owner: s.owner,
    rowsDone: s.rowsDone,
    rowsScanned: s.rowsScanned,
    estimatedRows: s.estimatedRows,
    batches: s.batches,
    cursor: s.cursor,
    error: s.error,
    startedAt: s.startedAt?.toISOString() ?? null,
    updatedAt: s.updatedAt.toISOString(),
    finishedAt: s.finishedAt?.toISOString() ?? null,
    elapsed: formatSeconds(Math.max(0, elapsed)),
  };
}
