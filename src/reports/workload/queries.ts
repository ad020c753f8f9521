/**
 * Every statement `dbops report workload` sends to the primary. All are read-only; the only input
 * (function names to look up) is a parameter. Columns that appeared in later PostgreSQL versions
 * are chosen by `server_version_num` rather than probed by trial and error.
 */
import { quoteIdent } from '../../db/quote';

/** Who we are, what the server is, and the clock and transaction counter the rates divide by. */
export function serverFactsSql(): string {
  return `
SELECT current_user AS role_name,
       pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') AS can_read_stats,
       pg_is_in_recovery() AS in_recovery,
       current_setting('server_version_num')::int AS version_num,
       current_database() AS database,
       current_schemas(false)::text[] AS search_path`;
}

/** The clock and the next transaction ID, read together so the XID rate is per second of server time. */
export function clockSql(versionNum: number): string {
  const nextXid = versionNum >= 130000 ? 'pg_snapshot_xmax(pg_current_snapshot())' : 'txid_snapshot_xmax(txid_current_snapshot())';
  return `SELECT (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::float8 AS at_ms, ${nextXid}::text::float8 AS next_xid`;
}

/** pg_stat_user_tables with what decides when autovacuum runs on each table. */
export function tableStatsSql(versionNum: number): string {
  const insertsSinceVacuum = versionNum >= 130000 ? 's.n_ins_since_vacuum::float8' : 'NULL::float8';
  return `
SELECT s.schemaname AS schema,
       s.relname,
       s.n_tup_ins::float8 AS inserts,
       s.n_tup_upd::float8 AS updates,
       s.n_tup_hot_upd::float8 AS hot_updates,
       s.n_tup_del::float8 AS deletes,
       s.n_live_tup::float8 AS live,
       s.n_dead_tup::float8 AS dead,
       ${insertsSinceVacuum} AS inserts_since_vacuum,
       GREATEST(c.reltuples, 0)::float8 AS reltuples,
       EXTRACT(EPOCH FROM clock_timestamp() - GREATEST(s.last_vacuum, s.last_autovacuum))::float8 AS since_vacuum_s,
       c.reloptions::text[] AS reloptions
  FROM pg_stat_user_tables s
  JOIN pg_class c ON c.oid = s.relid`;
}

/** The server-wide autovacuum settings; the insert-driven ones exist from PostgreSQL 13 on. */
export const AUTOVACUUM_SETTINGS = `
SELECT current_setting('autovacuum') = 'on' AS enabled,
       current_setting('autovacuum_vacuum_threshold')::float8 AS vacuum_threshold,
       current_setting('autovacuum_vacuum_scale_factor')::float8 AS vacuum_scale_factor,
       (SELECT setting::float8 FROM pg_settings WHERE name = 'autovacuum_vacuum_insert_threshold') AS insert_threshold,
       (SELECT setting::float8 FROM pg_settings WHERE name = 'autovacuum_vacuum_insert_scale_factor') AS insert_scale_factor`;

/** Server-wide WAL volume (pg_stat_wal, PostgreSQL 14+). */
export const SERVER_WAL = 'SELECT wal_bytes::float8 AS wal_bytes FROM pg_stat_wal';

/** The columns of the pg_stat_statements view, which vary with its version. */
export const STAT_STATEMENTS_COLUMNS = `
SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`;

/**
 * pg_stat_statements entries of the connected database: the tables the report judges are this
 * database's, so statements of other databases would name tables it cannot see.
 */
export function statStatementsSql(schema: string, columns: ReadonlySet<string>): string {
  const total = columns.has('total_exec_time') ? 'total_exec_time' : 'total_time';
  const wal = columns.has('wal_bytes') ? 's.wal_bytes::float8' : 'NULL::float8';
  const toplevel = columns.has('toplevel') ? "s.toplevel::text" : "'true'";
  return `
SELECT s.userid::text || '/' || s.queryid::text || '/' || ${toplevel} AS key,
       s.queryid::text AS queryid,
       s.query,
       COALESCE(r.rolname, s.userid::text) AS username,
       s.calls::float8 AS calls,
       s.${total}::float8 AS total_ms,
       s.rows::float8 AS rows,
       ${wal} AS wal_bytes
  FROM ${quoteIdent(schema)}.pg_stat_statements s
  LEFT JOIN pg_roles r ON r.oid = s.userid
 WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
   AND s.queryid IS NOT NULL
   AND s.query IS NOT NULL`;
}

/**
 * Backends holding a snapshot (backend_xmin) or a transaction ID (backend_xid). WAL senders are
 * left out: their xmin is a standby's hot_standby_feedback, reported from pg_stat_replication.
 */
export const HORIZON_SESSIONS = `
SELECT pid,
       COALESCE(NULLIF(application_name, ''), '(none)') AS application,
       COALESCE(usename, '(unknown)') AS username,
       datname,
       COALESCE(state, '(unknown)') AS state,
       backend_type,
       GREATEST(age(backend_xmin), age(backend_xid))::float8 AS xid_age,
       EXTRACT(EPOCH FROM clock_timestamp() - xact_start)::float8 AS xact_age_s
  FROM pg_stat_activity
 WHERE (backend_xmin IS NOT NULL OR backend_xid IS NOT NULL)
   AND backend_type <> 'walsender'
   AND pid <> pg_backend_pid()`;

export function replicationSlotsSql(versionNum: number): string {
  const walStatus = versionNum >= 130000 ? 'wal_status' : 'NULL::text';
  return `
SELECT slot_name,
       slot_type,
       active,
       database,
       plugin,
       age(xmin)::float8 AS xmin_age,
       age(catalog_xmin)::float8 AS catalog_xmin_age,
       CASE WHEN restart_lsn IS NOT NULL AND NOT pg_is_in_recovery()
            THEN pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::float8 END AS retained_bytes,
       ${walStatus} AS wal_status
  FROM pg_replication_slots
 ORDER BY slot_name`;
}

export const PREPARED_TRANSACTIONS = `
SELECT gid,
       owner,
       database,
       age(transaction)::float8 AS xid_age,
       EXTRACT(EPOCH FROM clock_timestamp() - prepared)::float8 AS age_s
  FROM pg_prepared_xacts
 ORDER BY prepared`;

/** Standbys with hot_standby_feedback on hold the primary's horizon through their WAL sender. */
export const STANDBY_FEEDBACK = `
SELECT COALESCE(NULLIF(application_name, ''), host(client_addr), '(unknown)') AS application,
       state,
       age(backend_xmin)::float8 AS xid_age
  FROM pg_stat_replication
 WHERE backend_xmin IS NOT NULL
 ORDER BY application_name`;

export const DATABASE_AGES = `
SELECT datname, age(datfrozenxid)::float8 AS xid_age
  FROM pg_database
 ORDER BY age(datfrozenxid) DESC, datname`;

/** Whether any function of each name is volatile (an overload we cannot tell apart counts). */
export const FUNCTION_VOLATILITY = `
SELECT proname AS name, bool_or(provolatile = 'v') AS volatile
  FROM pg_proc
 WHERE proname = ANY($1::text[])
 GROUP BY proname`;
