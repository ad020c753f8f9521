import { waitFor } from '../../src/testing/cluster';
import { useCluster } from '../harness/cluster';
import { noRunnerBackends, spawnCli, stateOf } from './helpers';

const pg = useCluster();

const KILLS = 5;

/**
 * Issue #17: SIGKILL at random points, repeated — while the CLI starts and prepares (before the
 * state row exists, or while it is attached), and at random moments of the batch loop. After every
 * kill the table and the progress row must agree exactly: every key up to the cursor walked once,
 * the rows --where selects among them updated once and counted in rows_done, every key after the
 * cursor untouched; no row ever updated twice.
 */
describe('dbops backfill: kill -9 at random points, repeated', () => {
  const sql = (text: string) => pg().psql(pg().primary, text);

  /** rows_done, rows_scanned, and what the table says they should be for the cursor. */
  const observe = async () => {
    const cursor = (await stateOf(pg(), 'public.walk', "coalesce(cursor->>0, '')")) || null;
    const upTo = cursor === null ? 'false' : `id <= ${Number(cursor)}`;
    const [updated, walked, wrong] = (
      await sql(`SELECT count(*) FILTER (WHERE counter = 1) || '|' || count(*) FILTER (WHERE ${upTo}) || '|' ||
                        count(*) FILTER (WHERE counter > 1 OR (counter = 1) <> (${upTo} AND id % 3 <> 0)) FROM walk`)
    ).split('|').map(Number);
    const row = await stateOf(pg(), 'public.walk', "rows_done || '|' || rows_scanned || '|' || batches || '|' || status");
    const [rowsDone, rowsScanned, batches, status] = row ? row.split('|') : ['0', '0', '0', 'none'];
    return { cursor, updated, walked, wrong, rowsDone: Number(rowsDone), rowsScanned: Number(rowsScanned), batches: Number(batches), status };
  };

  it(`keeps rows and progress consistent through ${KILLS} kills and completes on the last rerun`, async () => {
    // Odd keys with gaps, and a --where that skips a third of them: rows_done and rows_scanned differ.
    await sql('CREATE TABLE walk (id int PRIMARY KEY, counter int NOT NULL DEFAULT 0); INSERT INTO walk SELECT g FROM generate_series(1, 12000, 2) g;');
    const args = ['backfill', 'run', '--url', pg().primary.url, '--table', 'walk', '--set', 'counter = counter + 1', '--where', 'id % 3 <> 0', '--batch-size', '50', '--target-batch-time', 'off', '--max-rate', '2000', '--format', 'json'];
    for (let i = 0; i < KILLS; i++) {
      const run = spawnCli(args);
      if (i % 2 === 1) {
        // Somewhere in the batch loop.
        await waitFor(async () => run.output().stdout.includes('"event":"start"'), 30_000, 'the runner to start');
        await new Promise((r) => setTimeout(r, Math.random() * 1500));
      } else {
        // Anywhere from start-up on: connecting, preparing, claiming, the first batches.
        await new Promise((r) => setTimeout(r, 200 + Math.random() * 2500));
      }
      run.child.kill('SIGKILL');
      await run.done;
      await waitFor(() => noRunnerBackends(pg()), 15_000, "the killed runner's backend to go");
      const o = await observe();
      expect({ kill: i + 1, wrong: o.wrong, rowsDone: o.rowsDone, rowsScanned: o.rowsScanned }).toEqual({ kill: i + 1, wrong: 0, rowsDone: o.updated, rowsScanned: o.walked });
      if (o.status === 'done') break;
    }
    const last = await spawnCli(args).done;
    expect({ code: last.code, stderr: last.stderr }).toEqual({ code: 0, stderr: '' });
    const end = await observe();
    expect(end).toMatchObject({ status: 'done', wrong: 0, updated: 4000, rowsDone: 4000, rowsScanned: 6000 });
  });
});
