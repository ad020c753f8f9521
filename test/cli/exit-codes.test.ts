import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { EXIT } from '../../src/core/exit-codes';
import { waitFor } from '../../src/testing/cluster';
import { spawnCli, stateOf } from '../backfill/helpers';
import { REPO_ROOT, runCli, type CliResult } from '../harness/cli';
import { useCluster } from '../harness/cluster';
import { useTempTrees } from '../harness/temp-tree';
import { newProject } from '../migrate/helpers';

/**
 * The exit codes documented on each command's page (docs/commands/*.md, the contract with
 * scripts and CI) are the codes the built CLI really exits with: one case per documented code
 * per command, and a documented code without a case fails the test, so a page and the code
 * cannot drift apart silently.
 */
const DEAD_URL = 'postgres://postgres:secret@127.0.0.1:1/postgres';

/** The codes in the first table under a page's "exit codes" heading. */
function documentedCodes(page: string): number[] {
  const text = fs.readFileSync(path.join(REPO_ROOT, 'docs', page), 'utf8');
  const heading = text.search(/^#+ .*exit codes/im);
  if (heading < 0) throw new Error(`${page} has no exit codes section`);
  const codes: number[] = [];
  for (const line of text.slice(heading).split('\n').slice(1)) {
    const row = line.match(/^\| (\d+) \|/);
    if (row) codes.push(Number(row[1]));
    else if (codes.length > 0 && !line.startsWith('|')) break;
  }
  return codes;
}

type Case = () => Promise<CliResult>;

describe('documented exit codes, command by command', () => {
  const pg = useCluster({ standbys: true });
  const url = () => pg().primary.url;
  const sql = (text: string) => pg().psql(pg().primary, text);
  const tree = useTempTrees('dbops-exit-');
  const bigTable = async (name: string, rows: number) =>
    sql(`CREATE TABLE ${name} (id int PRIMARY KEY, counter int NOT NULL DEFAULT 0); INSERT INTO ${name} SELECT g FROM generate_series(1, ${rows}) g;`);
  /** A run started in the background and stopped with SIGINT once it is under way. */
  const interrupted = async (args: string[], running: () => Promise<boolean>): Promise<CliResult> => {
    const run = spawnCli(args);
    await waitFor(running, 30_000, `${args.slice(0, 2).join(' ')} under way`);
    run.child.kill('SIGINT');
    const end = await run.done;
    return { code: end.code ?? -1, stdout: end.stdout, stderr: end.stderr };
  };
  /** Replay paused on standby1 while the primary writes: a standby behind by bytes. */
  const withStandbyBehind = async (run: Case): Promise<CliResult> => {
    await pg().psql(pg().standby!, 'SELECT pg_wal_replay_pause()');
    try {
      await sql('CREATE TABLE IF NOT EXISTS lag_writes (x int); INSERT INTO lag_writes SELECT generate_series(1, 1000);');
      await waitFor(async () => (await sql("SELECT count(*) FROM pg_stat_replication WHERE application_name = 'standby1' AND replay_lsn < pg_current_wal_lsn()")) === '1', 20_000, 'standby1 behind');
      return await run();
    } finally {
      await pg().psql(pg().standby!, 'SELECT pg_wal_replay_resume()');
    }
  };
  /** Client sessions held open on the primary while `run` runs. */
  const withClients = async (n: number, run: Case): Promise<CliResult> => {
    const clients = Array.from({ length: n }, () => new Client({ connectionString: url() }));
    try {
      await Promise.all(clients.map((c) => c.connect()));
      return await run();
    } finally {
      await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    }
  };
  const reportLagNodes = () => ['--primary', url(), '--replica', `standby1=${pg().standby!.url}`];

  const lint: Record<number, Case> = {
    0: () => runCli(['lint', tree({ 'ok.sql': "SET lock_timeout = '2s';\nCREATE TABLE t (id int PRIMARY KEY);\n" })]),
    1: () => runCli(['lint', tree({ 'bad.sql': "SET lock_timeout = '2s';\nCREATE INDEX i ON orders (created_at);\n" })]),
    2: () => runCli(['lint', path.join(tree(), 'nosuch.sql')]),
    3: () => runCli(['lint', tree({ 'ok.sql': 'CREATE TABLE t (id int);\n' }), '--verify', DEAD_URL]),
    130: () =>
      interrupted(
        ['lint', tree({ 'slow.sql': 'SELECT pg_sleep(60);\n' }), '--verify', url()],
        async () => (await sql("SELECT count(*) FROM pg_stat_activity WHERE datname LIKE 'dbops\\_verify\\_%' AND query LIKE 'SELECT pg_sleep(60)%'")) !== '0',
      ),
  };

  const audit: Record<number, Case> = {
    0: () => runCli(['audit', 'queries', '--file', path.join(tree({ 'q.sql': 'SELECT * FROM a JOIN b ON b.id = a.id;\n' }), 'q.sql')]),
    1: () => {
      const joins = Array.from({ length: 13 }, (_, i) => `JOIN t${i + 2} ON t${i + 2}.id = t${i + 1}.id`).join(' ');
      return runCli(['audit', 'queries', '--file', path.join(tree({ 'q.sql': `SELECT * FROM t1 ${joins};\n` }), 'q.sql')]);
    },
    2: () => runCli(['audit', 'queries', '--file', path.join(tree(), 'nosuch.sql')]),
    // The test cluster does not load pg_stat_statements.
    3: () => runCli(['audit', 'queries', '--from-db', '--url', url()]),
  };

  const migrate: Record<number, Case> = {
    0: async () => (await newProject(pg, { '0001_create.sql': 'CREATE TABLE accounts (id int PRIMARY KEY);\n' })).cli(['migrate']),
    1: async () => {
      const p = await newProject(pg, { '0001_create.sql': 'CREATE TABLE accounts (id int PRIMARY KEY, email text);\n' });
      expect((await p.cli(['migrate'])).code).toBe(0);
      p.write('0002_index.sql', 'CREATE INDEX accounts_email_idx ON accounts (email);\n');
      return p.cli(['migrate']);
    },
    2: async () => (await newProject(pg)).cli(['migrate', '--dir', 'no-such-dir']),
    3: async () => (await newProject(pg, { '0001_create.sql': 'CREATE TABLE accounts (id int);\n' })).cli(['migrate', '--url', DEAD_URL]),
    4: async () => (await newProject(pg, { '0001_bad.sql': 'ALTER TABLE no_such_table ADD COLUMN x int;\n' })).cli(['migrate']),
    130: async () => {
      const p = await newProject(pg, { '0001_slow.sql': 'SELECT pg_sleep(60);\n' });
      const run = p.start(['migrate']);
      await waitFor(async () => (await sql("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(60)%'")) !== '0', 30_000, 'the migration running');
      run.child.kill('SIGINT');
      return run.done;
    },
  };

  const migrateStatus: Record<number, Case> = {
    0: async () => (await newProject(pg, { '0001_create.sql': 'CREATE TABLE accounts (id int);\n' })).cli(['migrate', 'status']),
    1: async () => {
      const p = await newProject(pg, { '0001_create.sql': 'CREATE TABLE accounts (id int);\n' });
      expect((await p.cli(['migrate'])).code).toBe(0);
      p.write('0001_create.sql', 'CREATE TABLE accounts (id int);\n-- edited after apply\n');
      return p.cli(['migrate', 'status']);
    },
  };

  const backfillArgs = (table: string, extra: string[] = []) => ['backfill', 'run', '--url', url(), '--table', table, '--set', 'counter = counter + 1', ...extra];
  const backfill: Record<number, Case> = {
    0: async () => {
      await bigTable('bf_ok', 100);
      return runCli(backfillArgs('bf_ok'));
    },
    2: async () => {
      await bigTable('bf_usage', 10);
      return runCli(backfillArgs('bf_usage', ['--where', 'true) OR (true']));
    },
    // Mid-run losses are exit 3 too: test/backfill/server-loss.test.ts.
    3: () => runCli(['backfill', 'run', '--url', DEAD_URL, '--table', 't', '--set', 'x = 1']),
    4: async () => {
      await sql('CREATE TABLE bf_fail (id int PRIMARY KEY, d int NOT NULL, q int); INSERT INTO bf_fail VALUES (1, 0);');
      return runCli(['backfill', 'run', '--url', url(), '--table', 'bf_fail', '--set', 'q = 10 / d']);
    },
    130: async () => {
      await bigTable('bf_int', 5000);
      return interrupted(backfillArgs('bf_int', ['--batch-size', '10', '--max-rate', '100']), async () => Number((await stateOf(pg(), 'public.bf_int', 'batches')) || 0) >= 1);
    },
  };
  const backfillControl: Record<number, Case> = {
    0: async () => {
      await bigTable('bf_ctl', 10);
      expect((await runCli(backfillArgs('bf_ctl'))).code).toBe(0);
      return runCli(['backfill', 'status', 'public.bf_ctl', '--url', url()]);
    },
    2: () => runCli(['backfill', 'pause', 'no-such-backfill', '--url', url()]),
    3: () => runCli(['backfill', 'cancel', 'x', '--url', DEAD_URL]),
    // A control command that cannot apply: pausing a finished backfill.
    4: () => runCli(['backfill', 'pause', 'public.bf_ctl', '--url', url()]),
  };

  const sessionsIdle: Record<number, Case> = {
    0: () => runCli(['sessions', 'idle', '--url', url()]),
    2: () => runCli(['sessions', 'idle', '--url', url(), '--older-than', '0']),
    3: () => runCli(['sessions', 'idle', '--url', DEAD_URL]),
    // Connected, then every query fails (a hot standby refuses serializable transactions).
    4: () => runCli(['sessions', 'idle', '--url', `${pg().standby!.url}?options=${encodeURIComponent('-c default_transaction_isolation=serializable')}`]),
  };

  const timeoutsCheck: Record<number, Case> = {
    0: () => runCli(['timeouts', 'check', '--url', url()]),
    1: () => runCli(['timeouts', 'check', '--url', url(), '--max-idle-in-transaction', '60s']),
    2: () => runCli(['timeouts', 'check', '--url', url(), '--max-idle-in-transaction', '60']),
    3: () => runCli(['timeouts', 'check', '--url', DEAD_URL, '--max-idle-in-transaction', '60s']),
    4: () => runCli(['timeouts', 'check', '--url', `${pg().standby!.url}?options=${encodeURIComponent('-c default_transaction_isolation=serializable')}`, '--max-idle-in-transaction', '60s']),
  };
  const timeoutsEnforce: Record<number, Case> = {
    0: () => runCli(['timeouts', 'enforce', '--url', url(), '--idle-in-transaction', '1min', '--role', 'postgres']),
    2: () => runCli(['timeouts', 'enforce', '--url', url(), '--idle-in-transaction', '1min', '--role', 'no_such_role']),
    3: () => runCli(['timeouts', 'enforce', '--url', DEAD_URL, '--idle-in-transaction', '1min', '--role', 'postgres']),
    // A standby is read-only: ALTER ROLE fails there.
    4: () => runCli(['timeouts', 'enforce', '--url', pg().standby!.url, '--idle-in-transaction', '1min', '--role', 'postgres', '--apply']),
  };

  const reportLag: Record<number, Case> = {
    0: () => runCli(['report', 'lag', ...reportLagNodes()]),
    1: () => withStandbyBehind(() => runCli(['report', 'lag', ...reportLagNodes(), '--warn', '1h', '--critical', '1h', '--warn-bytes', '1', '--critical-bytes', '1GB'])),
    2: () => withStandbyBehind(() => runCli(['report', 'lag', ...reportLagNodes(), '--warn', '1h', '--critical', '1h', '--critical-bytes', '1'])),
    3: () => runCli(['report', 'lag', '--primary', url(), '--replica', `gone=${DEAD_URL}`]),
  };
  const reportConnections: Record<number, Case> = {
    0: () => runCli(['report', 'connections', '--primary', url(), '--warn', '90%', '--critical', '95%']),
    1: () => withClients(2, () => runCli(['report', 'connections', '--primary', url(), '--warn', '2', '--critical', '90'])),
    2: () => withClients(2, () => runCli(['report', 'connections', '--primary', url(), '--warn', '1', '--critical', '2'])),
    3: () => runCli(['report', 'connections', '--primary', DEAD_URL]),
  };

  const standbySerializable = () => `${pg().standby!.url}?options=${encodeURIComponent('-c default_transaction_isolation=serializable')}`;
  const statsSnapshot: Record<number, Case> = {
    0: () => runCli(['stats', 'snapshot', '--url', url()]),
    2: () => runCli(['stats', 'snapshot', '--url', url(), '--no-such-flag']),
    3: () => runCli(['stats', 'snapshot', '--url', DEAD_URL]),
    // A standby refuses serializable transactions: the statistics query fails on the server.
    4: () => runCli(['stats', 'snapshot', '--url', standbySerializable()]),
  };
  const init: Record<number, Case> = {
    0: () => runCli(['init'], { cwd: tree() }),
    2: () => runCli(['init', '--hook'], { cwd: tree() }),
  };
  const workload = (extra: string[]) => runCli(['report', 'workload', '--interval', '1s', ...extra]);
  const reportWorkload: Record<number, Case> = {
    0: () => workload(['--url', url()]),
    // The URL given as the primary is in recovery.
    1: () => workload(['--url', pg().standby!.url]),
    // A transaction holding the xmin horizon while ten others commit.
    2: async () => {
      const holder = new Client({ connectionString: url() });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('SELECT txid_current()');
        for (let i = 0; i < 10; i++) await sql('SELECT txid_current()');
        return await workload(['--url', url(), '--horizon-warn', '5 xids', '--horizon-critical', '5 xids']);
      } finally {
        await holder.end();
      }
    },
    3: () => workload(['--url', DEAD_URL]),
  };

  const PAGES: Record<string, Record<string, Record<number, Case>>> = {
    'commands/lint.md': { lint },
    'commands/audit-queries.md': { 'audit queries': audit },
    'commands/migrate.md': { migrate, 'migrate status': migrateStatus },
    'commands/backfill.md': { 'backfill run': backfill, 'backfill status|pause|resume|cancel': backfillControl },
    'commands/sessions-idle.md': { 'sessions idle': sessionsIdle },
    'commands/timeouts.md': { 'timeouts check': timeoutsCheck, 'timeouts enforce': timeoutsEnforce },
    'commands/report-lag.md': { 'report lag': reportLag },
    'commands/report-connections.md': { 'report connections': reportConnections },
    'commands/stats-snapshot.md': { 'stats snapshot': statsSnapshot },
    'commands/init.md': { init },
    'commands/report-workload.md': { 'report workload': reportWorkload },
  };

  it('every page in docs/commands has its exit codes here, and every documented code has a case', () => {
    const pages = fs.readdirSync(path.join(REPO_ROOT, 'docs', 'commands')).filter((f) => f.endsWith('.md')).map((f) => `commands/${f}`);
    expect(Object.keys(PAGES).sort()).toEqual(pages.sort());
    for (const [page, commands] of Object.entries(PAGES)) {
      const tested = [...new Set(Object.values(commands).flatMap((c) => Object.keys(c).map(Number)))].sort((a, b) => a - b);
      expect({ page, codes: tested }).toEqual({ page, codes: documentedCodes(page) });
    }
    // The general table documents exactly the codes src/core/exit-codes.ts defines.
    expect(documentedCodes('exit-codes.md')).toEqual(Object.values(EXIT).sort((a, b) => a - b));
  });

  const cases = Object.entries(PAGES).flatMap(([page, commands]) =>
    Object.entries(commands).flatMap(([command, codes]) => Object.entries(codes).map(([code, run]) => ({ page, command, code: Number(code), run }))),
  );

  it.each(cases)('$command exits $code ($page)', async ({ command, code, run }) => {
    const r = await run();
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code, stderr: expect.anything() });
    if (command === 'lint' && code === EXIT.usage) {
      // Lint reports what it could not read as a finding among the others (docs/commands/lint.md).
      expect(r.stdout).toMatch(/error +input-error/);
    } else if (!command.startsWith('report ') && [EXIT.usage, EXIT.database, EXIT.failed].includes(code as 2 | 3 | 4)) {
      expect(r.stderr).toMatch(/^error: \S.* — \S.*$/m);
    }
    // A failure is one line `error: … — …`; never a stack trace, never an internal error, never a password.
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(r.stdout + r.stderr).not.toContain('secret');
  });
});
