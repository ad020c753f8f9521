import { Client } from 'pg';
import type { Cluster } from '../harness/cluster';

export const ROLE_PASSWORD = 'role-pw';

/** A client of `user` whose asynchronous errors (FATALs sent while idle) are collected. */
export async function connectAs(pg: Cluster, user: string, database = 'postgres'): Promise<{ client: Client; errors: Array<Error & { code?: string }> }> {
  const password = user === 'postgres' ? undefined : ROLE_PASSWORD;
  const client = new Client({ connectionString: pg.urlFor(pg.primary, { user, password, database }), application_name: `test-${user}` });
  const errors: Array<Error & { code?: string }> = [];
  client.on('error', (err) => errors.push(err));
  await client.connect();
  return { client, errors };
}

/** Starts a transaction and leaves it idle. */
export async function idleInTransaction(client: Client, lockTable?: string): Promise<number> {
  await client.query('BEGIN');
  if (lockTable) await client.query(`LOCK TABLE ${lockTable} IN ROW EXCLUSIVE MODE`);
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return rows[0].pid;
}

export async function closeAll(clients: Client[]): Promise<void> {
  await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
}
