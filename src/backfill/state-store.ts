import type { Client } from 'pg';
import type { ClaimHolder } from './claim';
import type { BackfillSpec, BackfillState, BackfillStatus, Cursor } from './types';

/**
 * dbops.backfills: one row per named backfill. Every statement that reads or writes it is here.
 * The runner moves the cursor inside the batch's own transaction (see runner.ts), so the row
 * and the table can never disagree about which batches are done.
 */
const STATE_TABLE = 'dbops.backfills';

/** Advisory-lock class for "a runner owns this backfill" (the other key is hashtext(name)). */
export const RUNNER_LOCK_CLASS = 0x0dbb_f111;
/** Advisory-lock key serialising creation of the dbops schema objects. */
const SCHEMA_LOCK = 0x0dbb_f110;

export async function ensureStateTable(client: Client): Promise<void> {
  const { rows } = await client.query("SELECT to_regclass('dbops.backfills') IS NOT NULL AS present");
  if (rows[0].present) return;
  await client.query('BEGIN');
  try {
    // Two first runs at once would otherwise race on CREATE … IF NOT EXISTS.
    await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
    await client.query('CREATE SCHEMA IF NOT EXISTS dbops');
    await client.query(`CREATE TABLE IF NOT EXISTS ${STATE_TABLE} (
      name           text PRIMARY KEY,
      table_name     text NOT NULL,
      key_columns    text[] NOT NULL,
      spec           jsonb NOT NULL,
      spec_checksum  text NOT NULL,
      cursor         jsonb,
      rows_done      bigint NOT NULL DEFAULT 0,
      rows_scanned   bigint NOT NULL DEFAULT 0,
      batches        bigint NOT NULL DEFAULT 0,
      estimated_rows bigint,
      status         text NOT NULL CHECK (status IN ('running', 'paused', 'done', 'failed', 'cancelled')),
      pause_reason   text,
      owner          text,
      error          text,
      created_at     timestamptz NOT NULL DEFAULT now(),
      started_at     timestamptz,
      updated_at     timestamptz NOT NULL DEFAULT now(),
      finished_at    timestamptz
    )`);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

const SELECT_STATE = `SELECT b.name, b.table_name AS "tableName", b.key_columns AS "keyColumns", b.spec_checksum AS "specChecksum",
       b.spec, b.cursor, b.rows_done::float8 AS "rowsDone", b.rows_scanned::float8 AS "rowsScanned", b.batches::float8 AS batches,
       b.estimated_rows::float8 AS "estimatedRows", b.status, b.pause_reason AS "pauseReason", b.owner, b.error,
       b.created_at AS "createdAt", b.started_at AS "startedAt", b.updated_at AS "updatedAt", b.finished_at AS "finishedAt",
       EXISTS (SELECT 1 FROM pg_locks l
                WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                  AND l.classid::bigint = ${RUNNER_LOCK_CLASS} AND l.objid::bigint = (hashtext(b.name)::bigint & 4294967295) AND l.objsubid = 2) AS "runnerAttached"
  FROM ${STATE_TABLE} b`;

export async function stateTableExists(client: Client): Promise<boolean> {
  const { rows } = await client.query("SELECT to_regclass('dbops.backfills') IS NOT NULL AS present");
  return rows[0].present;
}

export async function readState(client: Client, name: string): Promise<BackfillState | undefined> {
  const { rows } = await client.query(`${SELECT_STATE} WHERE b.name = $1`, [name]);
  return rows[0];
}

export async function listStates(client: Client): Promise<BackfillState[]> {
  const { rows } = await client.query(`${SELECT_STATE} ORDER BY b.created_at`);
  return rows;
}

/** Takes the runner lock for a backfill; false when another runner holds it. Released when the session ends. */
export async function tryLockRunner(client: Client, name: string): Promise<boolean> {
  const { rows } = await client.query('SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked', [RUNNER_LOCK_CLASS, name]);
  return rows[0].locked;
}

/** The session holding a backfill's runner lock, if any. */
export async function findClaimHolder(client: Client, name: string): Promise<ClaimHolder | undefined> {
  const { rows } = await client.query(
    `SELECT a.pid, coalesce(a.application_name, '') AS "applicationName", host(a.client_addr) AS "clientAddr", a.state,
            greatest(0, extract(epoch FROM now() - coalesce(a.state_change, a.backend_start)))::float8 AS "idleFor"
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND l.classid::bigint = $1 AND l.objid::bigint = (hashtext($2)::bigint & 4294967295) AND l.objsubid = 2`,
    [RUNNER_LOCK_CLASS, name],
  );
  return rows[0];
}

export async function createState(client: Client, spec: BackfillSpec, estimatedRows: number | null, owner: string): Promise<void> {
  await client.query(
    `INSERT INTO ${STATE_TABLE} (name, table_name, key_columns, spec, spec_checksum, estimated_rows, status, owner, started_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'running', $7, now())`,
    [spec.name, spec.table.display, spec.table.key.map((k) => k.name), JSON.stringify({ change: spec.change }), spec.checksum, estimatedRows, owner],
  );
}

/** A runner taking over: marks it running unless an operator paused it (the pause holds until resume). */
export async function attachRunner(client: Client, name: string, owner: string, estimatedRows: number | null): Promise<void> {
  await client.query(
    `UPDATE ${STATE_TABLE}
        SET owner = $2, estimated_rows = coalesce($3, estimated_rows), error = NULL, updated_at = now(), started_at = coalesce(started_at, now()),
            status = CASE WHEN status = 'paused' AND pause_reason = 'operator' THEN status ELSE 'running' END,
            pause_reason = CASE WHEN status = 'paused' AND pause_reason = 'operator' THEN pause_reason END
      WHERE name = $1`,
    [name, owner, estimatedRows],
  );
}

/** Start of a batch transaction: locks the state row (control commands wait at most one batch) and reads status and cursor. */
export async function lockStateForBatch(client: Client, name: string): Promise<{ status: BackfillStatus; cursor: Cursor }> {
  const { rows } = await client.query(`SELECT status, cursor FROM ${STATE_TABLE} WHERE name = $1 FOR UPDATE`, [name]);
  if (rows.length === 0) throw new Error(`backfill ${name} disappeared from ${STATE_TABLE}`);
  return rows[0];
}

/** Inside the batch transaction: the cursor moves with the rows it covers. */
export async function advanceCursor(client: Client, name: string, cursor: Cursor, scanned: number, updated: number): Promise<void> {
  await client.query(
    `UPDATE ${STATE_TABLE}
        SET cursor = $2, rows_scanned = rows_scanned + $3, rows_done = rows_done + $4, batches = batches + 1, updated_at = now()
      WHERE name = $1`,
    [name, JSON.stringify(cursor), scanned, updated],
  );
}

/** Final or control transitions written by the runner. */
export async function setStatus(client: Client, name: string, status: BackfillStatus, fields: { pauseReason?: string | null; error?: string | null } = {}): Promise<void> {
  await client.query(
    `UPDATE ${STATE_TABLE}
        SET status = $2, pause_reason = $3, error = $4, updated_at = now(),
            finished_at = CASE WHEN $2 IN ('done', 'cancelled') THEN now() ELSE finished_at END
      WHERE name = $1`,
    [name, status, fields.pauseReason ?? null, fields.error ?? null],
  );
}

/**
 * Control from another terminal: changes status only from the given states; returns the row as
 * it is afterwards, or undefined when no backfill has that name.
 */
export async function requestStatus(
  client: Client,
  name: string,
  to: BackfillStatus,
  from: BackfillStatus[],
  pauseReason: string | null,
): Promise<{ changed: boolean; state?: BackfillState }> {
  const { rowCount } = await client.query(
    `UPDATE ${STATE_TABLE} SET status = $2, pause_reason = $4, updated_at = now(),
            finished_at = CASE WHEN $2 = 'cancelled' THEN now() ELSE finished_at END
      WHERE name = $1 AND status = ANY($3)`,
    [name, to, from, pauseReason],
  );
  return { changed: (rowCount ?? 0) > 0, state: await readState(client, name) };
}
