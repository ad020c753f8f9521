import { waitFor } from '../../src/testing/cluster';
import { runCli } from '../harness/cli';
import { useCluster } from '../harness/cluster';
import { jsonEvents, spawnCli, stateOf } from './helpers';

/**
 * docs/exit-codes.md and docs/commands/backfill.md: a connection lost mid-run is exit 3 ("the
 * database could not be reached"), and the rerun resumes from the last committed batch. It used
 * to be exit 4 (an internal error while waiting between batches, a "failed" batch mid-batch).
 */
describe('dbops backfill when the server goes away mid-run', () => {
  const pg = useCluster();
  const url = () => pg().primary.url;
  const sql = (text: string) => pg().psql(pg().primary, text);

  const loseServerDuring = async (table: string, flags: string[]) => {
    const args = ['backfill', 'run', '--url', url(), '--table', table, '--set', 'counter = bump(counter)', '--target-batch-time', 'off'];
    const run = spawnCli([...args, ...flags, '--format', 'json']);
    await waitFor(async () => Number((await stateOf(pg(), `public.${table}`, 'batches')) || 0) >= 2, 30_000, 'a few batches');
    await pg().stopNode(pg().primary);
    const end = await run.done;
    await pg().startNode(pg().primary);
    expect(end.stderr).not.toMatch(/internal error/);
    expect(end.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(`^error: backfill public\\.${table} lost the connection to the database at batch \\d+: .+ — the batch in progress was rolled back; rerun the same command when the server is back to resume from the last committed batch$`),
      ),
    ]);
    expect(end.code).toBe(3);
    expect(jsonEvents(end.stdout).pop()).toMatchObject({ event: 'stopped', status: 'failed' });
    // The rerun resumes: every row updated exactly once, the progress row agrees.
    const again = await runCli(args);
    expect(again.stderr).toMatch(new RegExp(`^public\\.${table}: resuming public\\.${table} after key \\(\\d+\\)`));
    expect(again.code).toBe(0);
    expect(await sql(`SELECT counter, count(*) FROM ${table} GROUP BY 1`)).toBe('1|3000');
    expect(await stateOf(pg(), `public.${table}`, "status || ' ' || rows_done")).toBe('done 3000');
  };

  beforeAll(async () => {
    await sql('CREATE FUNCTION bump(i int) RETURNS int LANGUAGE sql AS $$ SELECT pg_sleep(0.002); SELECT i + 1 $$');
  });

  it('while waiting between batches (--max-rate): exit 3, one line, and the rerun resumes', async () => {
    await sql('CREATE TABLE waiting (id int PRIMARY KEY, counter int NOT NULL DEFAULT 0); INSERT INTO waiting SELECT g FROM generate_series(1, 3000) g;');
    await loseServerDuring('waiting', ['--batch-size', '20', '--max-rate', '20']);
  });

  it('in the middle of a batch: exit 3, the batch rolled back, and the rerun resumes', async () => {
    await sql('CREATE TABLE inbatch (id int PRIMARY KEY, counter int NOT NULL DEFAULT 0); INSERT INTO inbatch SELECT g FROM generate_series(1, 3000) g;');
    await loseServerDuring('inbatch', ['--batch-size', '300']);
  });
});
