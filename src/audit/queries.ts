import type { Client } from 'pg';
import { DbopsError } from '../core/errors';
import { EXIT } from '../core/exit-codes';
import { quoteIdent } from '../db/quote';
import { createExtensionFix, isNotLoadedError, PRELOAD_FIX, readStatStatementsSetup } from '../db/stat-statements';

/** Every SQL statement `dbops audit queries --from-db` sends. */

export interface StatStatementRow {
  queryid: string | null;
  query: string;
  calls: string;
  total_ms: number;
  mean_ms: number;
  rows: string;
  username: string | null;
  dbname: string | null;
}

const notLoaded = (label: string) =>
  new DbopsError(`pg_stat_statements is not loaded on ${label}`, {
    exitCode: EXIT.database,
    hint: `${PRELOAD_FIX}, then run CREATE EXTENSION pg_stat_statements; (or use --log / --file)`,
  });

/**
 * Reads pg_stat_statements (works on a primary and on a hot standby). When it cannot, says which
 * of the two setup steps is missing.
 */
export async function readStatStatements(client: Client, label: string): Promise<StatStatementRow[]> {
  const state = await readStatStatementsSetup(client);
  if (state.preloaded === false) throw notLoaded(label);
  if (!state.schema) {
    throw new DbopsError(`the pg_stat_statements extension is not created in database "${state.database}" on ${label}`, {
      exitCode: EXIT.database,
      hint: `run ${createExtensionFix(state.database)}, or connect to the database where it exists`,
    });
  }
  try {
    return await readView(client, state.schema);
  } catch (err) {
    if (isNotLoadedError(err)) throw notLoaded(label);
    throw err;
  }
}

async function readView(client: Client, schema: string): Promise<StatStatementRow[]> {
  const view = `${quoteIdent(schema)}.pg_stat_statements`;
  // PostgreSQL 13 split total_time into planning and execution; execution is what runs on the server.
  const { rows: cols } = await client.query<{ has_exec: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = $1::regclass AND attname = 'total_exec_time' AND NOT attisdropped) AS has_exec`,
    [view],
  );
  const total = cols[0].has_exec ? 'total_exec_time' : 'total_time';
  const mean = cols[0].has_exec ? 'mean_exec_time' : 'mean_time';
  const { rows } = await client.query<StatStatementRow>(
    `SELECT s.queryid::text AS queryid, s.query, s.calls::text AS calls, s.${total}::float8 AS total_ms, s.${mean}::float8 AS mean_ms,
            s.rows::text AS rows, r.rolname AS username, d.datname AS dbname
       FROM ${view} s
       LEFT JOIN pg_roles r ON r.oid = s.userid
       LEFT JOIN pg_database d ON d.oid = s.dbid
      WHERE s.query IS NOT NULL`,
  );
  return rows;
}
