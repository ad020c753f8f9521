import type { Client } from 'pg';

/** Whether pg_stat_statements can be read on a server, and if not, which setup step is missing. */
export interface StatStatementsSetup {
  /** false: not in shared_preload_libraries; null: this role may not read that setting. */
  preloaded: boolean | null;
  /** Schema the extension is created in, in the connected database; null when not created. */
  schema: string | null;
  database: string;
}

/** Reads the two setup steps pg_stat_statements needs (used by `audit queries` and `report workload`). */
export async function readStatStatementsSetup(client: Client): Promise<StatStatementsSetup> {
  // pg_settings hides shared_preload_libraries from roles without pg_read_all_settings (no row).
  const { rows } = await client.query<{ preload: string | null; schema: string | null; database: string }>(
    `SELECT (SELECT setting FROM pg_settings WHERE name = 'shared_preload_libraries') AS preload,
            (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_stat_statements') AS schema,
            current_database() AS database`,
  );
  const { preload, schema, database } = rows[0];
  return { preloaded: preload === null ? null : /(^|[\s,])"?pg_stat_statements"?($|[\s,])/.test(preload), schema, database };
}

/** The view's error when the library is not loaded (the extension exists but the module does not). */
export function isNotLoadedError(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '55000' && /shared_preload_libraries/.test(e.message ?? '');
}

export const PRELOAD_FIX = 'add pg_stat_statements to shared_preload_libraries in postgresql.conf, restart the server';

export const createExtensionFix = (database: string) => `CREATE EXTENSION pg_stat_statements; in "${database}" (on the primary; it replicates)`;
