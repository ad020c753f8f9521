import { waitFor } from '../../src/testing/cluster';
import { runCli } from '../harness/cli';
import { useCluster } from '../harness/cluster';
import { jsonEvents, spawnCli, stateOf } from './helpers';

/**
 * docs/commands/backfill.md: batches commit without waiting for their WAL to reach disk, so a
 * server crash can take back batches dbops already reported, each with its cursor, and the rerun
 * does them again. Here the WAL writer sleeps 10 s and no full-page image fills a WAL page, so the
 * batches' commits are still in shared memory when the server stops in immediate mode.
 */
describe('dbops backfill when the server crashes after batches it reported', () => {
  const pg = useCluster({ settings: { wal_writer_delay: '10s', full_page_writes: 'off' } });
  const sql = (text: string) => pg().psql(pg().primary, text);

  it('takes back the unflushed batches with their cursor, and the rerun updates every row once', async () => {
    await sql('CREATE TABLE crashed (id int PRIMARY KEY, counter int NOT NULL DEFAULT 0); INSERT INTO crashed SELECT g FROM generate_series(1, 400) g; CHECKPOINT;');
    const args = ['backfill', 'run', '--url', pg().primary.url, '--table', 'crashed', '--set', 'counter = counter + 1', '--batch-size', '5', '--target-batch-time', 'off'];
    const run = spawnCli([...args, '--sleep', '100ms', '--format', 'json']);
    await waitFor(async () => jsonEvents(run.output().stdout).filter((e) => e.event === 'batch').length >= 4, 30_000, 'four reported batches');
    await pg().stopNode(pg().primary);
    const end = await run.done;
    await pg().startNode(pg().primary);
    const reported = jsonEvents(end.stdout).filter((e) => e.event === 'batch').length;
    const kept = Number((await stateOf(pg(), 'public.crashed', 'batches')) || 0);
    expect(kept).toBeLessThan(reported);
    // Rows and cursor were taken back together: every key up to the surviving cursor once, none after.
    const cursor = Number((await stateOf(pg(), 'public.crashed', "coalesce(cursor->>0, '0')")) || 0);
    expect(await sql(`SELECT count(*) FILTER (WHERE (id <= ${cursor}) <> (counter = 1) OR counter > 1) FROM crashed`)).toBe('0');
    const again = await runCli(args);
    expect(again.code).toBe(0);
    expect(await sql('SELECT counter, count(*) FROM crashed GROUP BY 1')).toBe('1|400');
    expect(await stateOf(pg(), 'public.crashed', "status || ' ' || rows_done")).toBe('done 400');
  });
});
