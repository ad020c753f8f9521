import type { Client } from 'pg';

/**
 * Every query that reads or writes migrate's own bookkeeping: the applied migrations and the
 * per-statement progress of non-transactional files, in their own schema.
 */
export const TRACKING_SCHEMA = 'dbops';
export const TRACKING_TABLE = `${TRACKING_SCHEMA}.migrations`;
export const PROGRESS_TABLE = `${TRACKING_SCHEMA}.migration_progress`;

export interface AppliedRow {
  version: string;
  name: string;
  checksum: string;
  appliedAt: Date;
  durationMs: number;
  appliedBy: string;
  dbopsVersion: string;
}

export interface ProgressRow {
  version: string;
  statementIndex: number;
  checksum: string;
}

export interface TrackingState {
  applied: AppliedRow[];
  /** Statements already done of non-transactional migrations that did not finish. */
  progress: ProgressRow[];
}

const CREATE_TABLES = `
CREATE SCHEMA IF NOT EXISTS ${TRACKING_SCHEMA};
CREATE TABLE IF NOT EXISTS ${TRACKING_TABLE} (
  version text PRIMARY KEY,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  duration_ms integer NOT NULL,
  applied_by text NOT NULL,
  dbops_version text NOT NULL
);
CREATE TABLE IF NOT EXISTS ${PROGRESS_TABLE} (
  version text NOT NULL,
  statement_index integer NOT NULL,
  checksum text NOT NULL,
  completed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (version, statement_index)
);`;

async function trackingExists(client: Client): Promise<boolean> {
  const { rows } = await client.query<{ t: string | null; p: string | null }>(
    'SELECT to_regclass($1)::text AS t, to_regclass($2)::text AS p',
    [TRACKING_TABLE, PROGRESS_TABLE],
  );
  return rows[0].t !== null && rows[0].p !== null;
}

/** Creates the tracking tables when missing (checked first: CREATE SCHEMA needs a privilege reruns should not). */
export async function ensureTrackingTables(client: Client): Promise<void> {
  if (await trackingExists(client)) return;
  await client.query(CREATE_TABLES);
}

/** What the database says was applied; empty when migrate never ran here. */
export async function readTracking(client: Client): Promise<TrackingState> {
  if (!(await trackingExists(client))) return { applied: [], progress: [] };
  const applied = await client.query(
    `SELECT version, name, checksum, applied_at, duration_ms, applied_by, dbops_version FROM ${TRACKING_TABLE}`,
  );
  const progress = await client.query(`SELECT version, statement_index, checksum FROM ${PROGRESS_TABLE} ORDER BY version, statement_index`);
  return {
    applied: applied.rows.map((r) => ({
      version: r.version,
      name: r.name,
      checksum: r.checksum,
      appliedAt: r.applied_at,
      durationMs: r.duration_ms,
      appliedBy: r.applied_by,
      dbopsVersion: r.dbops_version,
    })),
    progress: progress.rows.map((r) => ({ version: r.version, statementIndex: r.statement_index, checksum: r.checksum })),
  };
}

export interface AppliedRecord {
  version: string;
  name: string;
  checksum: string;
  durationMs: number;
  appliedBy: string;
  dbopsVersion: string;
}

/** Records a finished migration and drops its progress rows (in the caller's transaction, if any). */
export async function recordApplied(client: Client, rec: AppliedRecord): Promise<void> {
  await client.query(
    `INSERT INTO ${TRACKING_TABLE} (version, name, checksum, duration_ms, applied_by, dbops_version) VALUES ($1, $2, $3, $4, $5, $6)`,
    [rec.version, rec.name, rec.checksum, Math.round(rec.durationMs), rec.appliedBy, rec.dbopsVersion],
  );
  await client.query(`DELETE FROM ${PROGRESS_TABLE} WHERE version = $1`, [rec.version]);
}

export async function recordProgress(client: Client, version: string, statementIndex: number, checksum: string): Promise<void> {
  await client.query(`INSERT INTO ${PROGRESS_TABLE} (version, statement_index, checksum) VALUES ($1, $2, $3)`, [version, statementIndex, checksum]);
}
