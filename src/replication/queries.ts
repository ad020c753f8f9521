/**
 * Every statement the reports send, in one place. All are read-only and take no user input, so
 * none needs parameters; they run on PostgreSQL 12+ (pg_stat_wal_receiver.sender_host/port, 12)
 * and PgBouncer 1.18+ (admin console, simple query protocol only).
 */

/**
 * Without pg_read_all_stats (granted by pg_monitor) PostgreSQL hides other sessions' state,
 * pg_stat_replication positions and the WAL receiver's status: the reports would then see
 * "disconnected" standbys and stateless sessions, so they check first and say what to grant.
 */
const CAN_READ_STATS = `current_user AS role_name,
       pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') AS can_read_stats`;

/** primary_conninfo is readable with pg_read_all_settings (part of pg_monitor) only: without it, go without. */
const READ_SETTINGS = "pg_has_role(current_user, 'pg_read_all_settings', 'USAGE')";

/**
 * Everything the lag tree needs from one server, in ONE statement (a report over fifty nodes, or a
 * backfill polling them every 100 ms, pays one round trip per node; pg_settings is not read, as
 * building that view costs more than the rest of the statement): where it is in the WAL
 * stream, its WAL receiver, the standbys streaming from it, and the host/port its
 * primary_conninfo names (only those: the conninfo may hold a password, which never leaves the
 * server). pg_current_wal_lsn() errors during recovery and the replay functions error outside
 * it, so each sits behind pg_is_in_recovery() (CASE evaluates only the branch taken for volatile
 * functions). A cascade shows up only in its upstream standby's pg_stat_replication.
 * pg_stat_replication and pg_stat_wal_receiver are read through the functions they are views
 * of: a fresh session (one per node per report) pays for loading a view's rewrite rule and
 * joining pg_authid, ~1 ms of the server's CPU per node, measured, for columns not needed here.
 */
export const NODE_STATE = `
SELECT ${CAN_READ_STATS},
       pg_is_in_recovery() AS in_recovery,
       current_setting('cluster_name') AS cluster_name,
       current_setting('wal_receiver_timeout') AS wal_receiver_timeout,
       CASE WHEN NOT pg_is_in_recovery() THEN pg_current_wal_lsn()::text END AS current_lsn,
       pg_last_wal_receive_lsn()::text AS receive_lsn,
       pg_last_wal_replay_lsn()::text AS replay_lsn,
       pg_last_xact_replay_timestamp() AS last_replay,
       EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8 AS last_replay_age_s,
       CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() END AS replay_paused,
       CASE WHEN pg_is_in_recovery() AND ${READ_SETTINGS} THEN substring(current_setting('primary_conninfo', true) from '(?:^|\\s)host=''?([^\\s'']+)') END AS conninfo_host,
       CASE WHEN pg_is_in_recovery() AND ${READ_SETTINGS} THEN substring(current_setting('primary_conninfo', true) from '(?:^|\\s)port=''?(\\d+)')::int END AS conninfo_port,
       (SELECT json_build_object(
                 'status', status,
                 'sender_host', sender_host,
                 'sender_port', sender_port,
                 'application_name', substring(conninfo from '(?:^|\\s)application_name=(\\S+)'),
                 'last_msg_age_s', EXTRACT(EPOCH FROM now() - last_msg_receipt_time)::float8)
          FROM pg_stat_get_wal_receiver() WHERE pid IS NOT NULL) AS receiver,
       (SELECT COALESCE(json_agg(json_build_object(
                 'application_name', a.application_name,
                 'client_addr', host(a.client_addr),
                 'state', w.state,
                 'sync_state', w.sync_state,
                 'replay_lsn', w.replay_lsn::text,
                 'replay_lag_s', EXTRACT(EPOCH FROM w.replay_lag)::float8) ORDER BY a.application_name), '[]'::json)
          FROM pg_stat_get_wal_senders() w CROSS JOIN LATERAL pg_stat_get_activity(w.pid) a) AS downstreams`;

/**
 * Client backends only: walsenders and background workers have rows in pg_stat_activity but do
 * not use client slots. The report's own session is left out so counts are what others hold.
 */
export const NODE_CLIENT_BACKENDS = `
SELECT pid,
       COALESCE(NULLIF(application_name, ''), '(none)') AS application,
       COALESCE(usename, '(unknown)') AS username,
       COALESCE(host(client_addr), 'local') AS client_addr,
       COALESCE(state, '(unknown)') AS state,
       EXTRACT(EPOCH FROM now() - state_change)::float8 AS state_age_s,
       EXTRACT(EPOCH FROM now() - xact_start)::float8 AS xact_age_s
  FROM pg_stat_activity
 WHERE backend_type = 'client backend'
   AND pid <> pg_backend_pid()`;

/**
 * Everything `report connections` reads from one server, in ONE statement (a report over fifty
 * nodes pays one round trip per node): its connection limits (reserved_connections exists from
 * PostgreSQL 16 on: NULL before), its client backends, and, on a standby, where its WAL comes
 * from. current_setting() rather than pg_settings, which builds a row for every setting.
 */
export const NODE_CONNECTIONS = `
SELECT ${CAN_READ_STATS},
       current_setting('max_connections')::int AS max_connections,
       current_setting('superuser_reserved_connections')::int AS superuser_reserved,
       current_setting('reserved_connections', true)::int AS reserved,
       pg_is_in_recovery() AS in_recovery,
       (SELECT json_build_object('host', sender_host, 'port', sender_port) FROM pg_stat_get_wal_receiver() WHERE pid IS NOT NULL) AS sender,
       (SELECT COALESCE(json_agg(b), '[]'::json) FROM (${NODE_CLIENT_BACKENDS}) b) AS backends`;

/** PgBouncer admin console commands (must go over the simple query protocol). */
export const PGBOUNCER_POOLS = 'SHOW POOLS';
