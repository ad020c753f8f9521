import type { Client } from 'pg';
import { quoteIdent, quoteLiteral } from '../db/quote';
import type { TimeoutSetting } from './settings';

/**
 * Every SQL statement the timeouts and idle-session commands send, in one place. Reads are
 * parameterised; the ALTER statements are built from quoted identifiers and a validated value
 * because utility statements take no parameters.
 */

export interface ServerSettingRow {
  name: TimeoutSetting;
  /** Milliseconds, as a string (pg_settings.setting of an 'ms' GUC). */
  setting: string;
  reset_val: string;
  source: string;
}

export async function readServerSettings(client: Client, names: readonly TimeoutSetting[]): Promise<ServerSettingRow[]> {
  const { rows } = await client.query<ServerSettingRow>(
    'SELECT name, setting, reset_val, source FROM pg_settings WHERE name = ANY($1::text[])',
    [names],
  );
  return rows;
}

/** The configuration-file value of each setting, when this role may read pg_file_settings. */
export async function readFileSettings(client: Client, names: readonly TimeoutSetting[]): Promise<Map<string, string> | undefined> {
  try {
    const { rows } = await client.query<{ name: string; setting: string }>(
      `SELECT DISTINCT ON (name) name, setting FROM pg_file_settings
        WHERE name = ANY($1::text[]) AND applied AND error IS NULL ORDER BY name, seqno DESC`,
      [names],
    );
    return new Map(rows.map((r) => [r.name, r.setting]));
  } catch {
    return undefined;
  }
}

export interface RoleRow {
  name: string;
  superuser: boolean;
}

export async function readLoginRoles(client: Client): Promise<RoleRow[]> {
  const { rows } = await client.query<RoleRow>(
    "SELECT rolname AS name, rolsuper AS superuser FROM pg_roles WHERE rolcanlogin AND rolname !~ '^pg_' ORDER BY rolname",
  );
  return rows;
}

/** Every role, login or not (ALTER ROLE … SET works on any of them). */
export async function readAllRoles(client: Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>('SELECT rolname AS name FROM pg_roles');
  return rows.map((r) => r.name);
}

export async function readDatabases(client: Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    'SELECT datname AS name FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY datname',
  );
  return rows.map((r) => r.name);
}

export interface DbRoleSettingRow {
  /** NULL: every role (an ALTER DATABASE … SET). */
  role: string | null;
  /** NULL: every database (an ALTER ROLE … SET). */
  database: string | null;
  /** name=value strings as PostgreSQL stores them. */
  config: string[];
}

export async function readDbRoleSettings(client: Client): Promise<DbRoleSettingRow[]> {
  const { rows } = await client.query<DbRoleSettingRow>(
    `SELECT r.rolname AS role, d.datname AS database, s.setconfig AS config
       FROM pg_db_role_setting s
       LEFT JOIN pg_roles r ON r.oid = s.setrole
       LEFT JOIN pg_database d ON d.oid = s.setdatabase`,
  );
  return rows;
}

export interface ActiveSessionCount {
  role: string;
  database: string;
  sessions: number;
}

/** Client sessions open now, per role and database (excluding ours). */
export async function countClientSessions(client: Client): Promise<ActiveSessionCount[]> {
  const { rows } = await client.query<ActiveSessionCount>(
    `SELECT usename AS role, datname AS database, count(*)::int AS sessions
       FROM pg_stat_activity
      WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND usename IS NOT NULL
      GROUP BY usename, datname`,
  );
  return rows;
}

export interface AlterTarget {
  role?: string;
  database?: string;
}

/** ALTER ROLE … [IN DATABASE …] SET or ALTER DATABASE … SET, with the driver's quoting. */
export function alterSetStatement(target: AlterTarget, setting: TimeoutSetting, value: string): string {
  const assignment = `SET ${setting} = ${quoteLiteral(value)}`;
  if (target.role !== undefined && target.database !== undefined) {
    return `ALTER ROLE ${quoteIdent(target.role)} IN DATABASE ${quoteIdent(target.database)} ${assignment}`;
  }
  if (target.role !== undefined) return `ALTER ROLE ${quoteIdent(target.role)} ${assignment}`;
  if (target.database !== undefined) return `ALTER DATABASE ${quoteIdent(target.database)} ${assignment}`;
  throw new Error('an ALTER … SET target needs a role or a database');
}

/** Runs the statements in one transaction: all of the plan or none of it. */
export async function applyStatements(client: Client, statements: readonly string[]): Promise<void> {
  await client.query('BEGIN');
  try {
    for (const sql of statements) await client.query(sql);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

export interface IdleSessionRow {
  pid: number;
  /** Text, not a Date: JavaScript dates drop the microseconds the re-check compares. */
  backend_start: string;
  user: string | null;
  database: string | null;
  application: string;
  client: string | null;
  superuser: boolean;
  state: string;
  /** Null in a failed transaction: PostgreSQL clears xact_start when the transaction aborts. */
  xact_age_s: number | null;
  idle_s: number;
  locks: number;
  query: string;
}

/** Client sessions idle in a transaction now, oldest idle first. */
export async function readIdleInTransaction(client: Client, olderThanMs: number): Promise<IdleSessionRow[]> {
  const { rows } = await client.query<IdleSessionRow>(
    `SELECT a.pid, a.backend_start::text AS backend_start, a.usename AS user, a.datname AS database, a.application_name AS application,
            COALESCE(host(a.client_addr) || ':' || a.client_port, CASE WHEN a.client_port = -1 THEN 'local socket' END) AS client,
            COALESCE(r.rolsuper, false) AS superuser, a.state,
            EXTRACT(EPOCH FROM now() - a.xact_start)::float8 AS xact_age_s,
            EXTRACT(EPOCH FROM now() - a.state_change)::float8 AS idle_s,
            (SELECT count(*)::int FROM pg_locks l WHERE l.pid = a.pid AND l.granted) AS locks,
            COALESCE(a.query, '') AS query
       FROM pg_stat_activity a
       LEFT JOIN pg_roles r ON r.oid = a.usesysid
      WHERE a.backend_type = 'client backend'
        AND a.pid <> pg_backend_pid()
        AND a.state IN ('idle in transaction', 'idle in transaction (aborted)')
        AND now() - a.state_change >= make_interval(secs => $1::float8 / 1000)
      ORDER BY a.state_change`,
    [olderThanMs],
  );
  return rows;
}

/**
 * Terminates the given backends, but only those that are still the same backend (same start
 * time), still idle in a transaction, and not ours: a pid can be reused, and a session can have
 * moved on between listing and confirming.
 */
export async function terminateIdleBackends(client: Client, targets: ReadonlyArray<{ pid: number; backend_start: string }>): Promise<number[]> {
  // MATERIALIZED keeps pg_terminate_backend() out of the scan of pg_stat_activity: pushed down
  // there, the planner would call it for every idle-in-transaction session before the join.
  const { rows } = await client.query<{ pid: number }>(
    `WITH still_idle AS MATERIALIZED (
       SELECT a.pid
         FROM pg_stat_activity a
         JOIN unnest($1::int[], $2::timestamptz[]) AS t(pid, backend_start)
           ON t.pid = a.pid AND t.backend_start = a.backend_start
        WHERE a.backend_type = 'client backend'
          AND a.pid <> pg_backend_pid()
          AND a.state IN ('idle in transaction', 'idle in transaction (aborted)'))
     SELECT pid FROM still_idle WHERE pg_terminate_backend(pid)`,
    [targets.map((t) => t.pid), targets.map((t) => t.backend_start)],
  );
  return rows.map((r) => r.pid);
}

/**
 * How many sessions this role cannot see the details of (it lacks pg_read_all_stats): their
 * backend_type is hidden too, but client sessions still show their database.
 */
export async function countHiddenSessions(client: Client): Promise<number> {
  const { rows } = await client.query<{ hidden: number }>(
    `SELECT count(*)::int AS hidden FROM pg_stat_activity
      WHERE backend_type IS NULL AND datname IS NOT NULL`,
  );
  return rows[0]?.hidden ?? 0;
}
