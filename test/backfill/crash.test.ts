import { waitFor } from '../../src/testing/cluster';
import { runCli } from '../harness/cli';
import { useCluster } from '../harness/cluster';
import { noRunnerBackends, spawnCli, stateOf } from './helpers';

describe('dbops backfill: SIGKILL mid-run and resume', () => {
  const pg = useCluster({ standbys: true });
  const sql = (text: string) => pg().psql(pg().primary, text);

  it('updates every row exactly once although the runner is killed three times', async () => {
    await sql(`CREATE TABLE accounts (id int PRIMARY KEY, counter int NOT NULL DEFAULT 0);
               INSERT INTO accounts SELECT g FROM generate_series(1, 6000) g;`);
    // counter = counter + 1 makes a batch applied twice visible (2), and one skipped too (0).
    const args = ['backfill', 'run', '--url', pg().primary.url, '--table', 'accounts', '--set', 'counter = counter + 1', '--batch-size', '50', '--target-batch-time', 'off', '--sleep', '10ms', '--format', 'json'];
    const killedAt: number[] = [];
    for (const threshold of [10, 40, 80]) {
      const run = spawnCli(args);
      await waitFor(async () => Number((await stateOf(pg(), 'public.accounts', 'batches')) || 0) >= threshold, 60_000, `${threshold} batches`);
      run.child.kill('SIGKILL');
      const ended = await run.done;
      expect(ended.signal).toBe('SIGKILL');
      killedAt.push(Number(await stateOf(pg(), 'public.accounts', 'batches')));
      await waitFor(() => noRunnerBackends(pg()), 10_000, 'the killed runner\'s backend to go');
      // Committed batches and the cursor always agree, even straight after a kill: every key up to
      // the cursor updated once, none after it.
      const cursor = Number(await stateOf(pg(), 'public.accounts', 'cursor->>0'));
      expect(cursor).toBeGreaterThan(0);
      expect(await sql(`SELECT count(*) FILTER (WHERE id <= ${cursor} AND counter = 1) || '/' || count(*) FILTER (WHERE (id > ${cursor}) <> (counter = 0) OR counter > 1) FROM accounts`)).toBe(`${cursor}/0`);
    }
    expect(killedAt[0]).toBeLessThan(killedAt[1]);
    expect(killedAt[1]).toBeLessThan(killedAt[2]);
    expect(await stateOf(pg(), 'public.accounts', 'status')).toBe('running');
    const status = await runCli(['backfill', 'status', 'public.accounts', '--url', pg().primary.url]);
    expect(status.stdout).toMatch(/^public.accounts {2}interrupted \(no runner\)$/m);
    const last = await spawnCli(args).done;
    expect(last.code).toBe(0);
    expect(last.stdout).toMatch(/"event":"start".*"resumedFrom":\["\d+"\]/);
    expect(await sql('SELECT counter, count(*) FROM accounts GROUP BY counter')).toBe('1|6000');
    expect(await stateOf(pg(), 'public.accounts', "status || ' ' || rows_done || ' ' || batches")).toBe('done 6000 120');
    // The standby replayed the same result.
    await waitFor(async () => (await pg().psql(pg().standby!, 'SELECT count(*) FROM accounts WHERE counter = 1')) === '6000', 10_000, 'standby to catch up');
  });
});
