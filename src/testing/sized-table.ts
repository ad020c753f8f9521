import type { Client } from 'pg';

/** Bytes a row of createSizedTable takes on disk: tuple header, id, v, a 180-byte filler, line pointer. */
const ROW_BYTES = 220;

/**
 * A table of about `megabytes` MB (id int PRIMARY KEY, v int NULL, filler text), filled in one
 * INSERT … SELECT generate_series (the fastest way PostgreSQL fills a table without COPY), then
 * analysed so reltuples is right. For the stats tests and bench/stats-hold.js.
 */
export async function createSizedTable(client: Client, qualifiedName: string, megabytes: number): Promise<void> {
  const rows = Math.round((megabytes * 1024 * 1024) / ROW_BYTES);
  await client.query(`CREATE TABLE ${qualifiedName} (id int NOT NULL, v int, filler text)`);
  await client.query(`INSERT INTO ${qualifiedName} SELECT g, g, repeat('x', 180) FROM generate_series(1, ${rows}) g`);
  await client.query(`ALTER TABLE ${qualifiedName} ADD PRIMARY KEY (id)`);
  await client.query(`VACUUM ANALYZE ${qualifiedName}`);
}

/** Milliseconds one statement takes, from the client (the lock is held for all of it). */
export async function timeStatement(client: Client, sql: string): Promise<number> {
  const start = process.hrtime.bigint();
  await client.query(sql);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * The median time of a change made `runs` times, undone after each run (the undo not timed): on a
 * machine shared with other work one run can be far off.
 */
export async function medianChangeMs(client: Client, change: string, undo: string, runs = 3): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    times.push(await timeStatement(client, change));
    await client.query(undo);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}
