import { spawn } from 'node:child_process';
import { Client } from 'pg';
import { DBOPS_BIN } from '../harness/cli';
import { waitFor } from '../../src/testing/cluster';
import { useCluster } from '../harness/cluster';
import { holdLock, newProject, type Project } from './helpers';

const pg = useCluster();

/** Issue #11: a migration waiting for its lock must not stall the application. */
async function projectWithTables(): Promise<Project> {
  const p = await newProject(pg, {
    '0001_create.sql':
      "CREATE TABLE accounts (id int PRIMARY KEY, name text);\nINSERT INTO accounts SELECT g, 'n' || g FROM generate_series(1, 1000) g;\n" +
      'CREATE TABLE orders (id int PRIMARY KEY, account_id int);\nINSERT INTO orders SELECT g, g FROM generate_series(1, 1000) g;\n',
  });
  expect((await p.cli(['migrate'])).code).toBe(0);
  return p;
}

/** A session SELECTing one row in a loop, as the application does. */
async function readerLoop(url: string): Promise<{ stop(): Promise<{ reads: number; failed: number }> }> {
  const c = new Client({ connectionString: url, application_name: 'reader-loop' });
  c.on('error', () => undefined);
  await c.connect();
  let running = true;
  let reads = 0;
  let failed = 0;
  const done = (async () => {
    while (running) {
      await c.query('SELECT name FROM accounts WHERE id = $1', [1 + (reads % 1000)]).catch(() => failed++);
      reads++;
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      await c.end();
      return { reads, failed };
    },
  };
}

const runnerState = (p: Project) =>
  p.sql(`SELECT coalesce(string_agg(a.state || '/' || (SELECT count(*) FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'relation' AND l.relation IN ('accounts'::regclass, 'orders'::regclass)), ','), 'none')
           FROM pg_stat_activity a WHERE a.application_name = 'dbops migrate'`);

const columnCount = (p: Project, column: string) => p.sql(`SELECT count(*) FROM information_schema.columns WHERE column_name = '${column}'`);

describe('dbops migrate: waiting for a lock without queueing (#11)', () => {
  it('waits behind a long transaction without queueing readers, and applies soon after it commits', async () => {
    const p = await projectWithTables();
    p.write('0002_alter.sql', 'ALTER TABLE orders ADD COLUMN note text;\nALTER TABLE accounts ADD COLUMN email text;\n');
    const reader = await readerLoop(p.url);
    const blocker = await holdLock(p.url, 'SELECT count(*) FROM accounts', 'long-report');
    // While the blocker lives, is the reader ever seen waiting for a lock (queued behind the ALTER)?
    const monitor = new Client({ connectionString: p.url, application_name: 'test-monitor' });
    await monitor.connect();
    let sampling = true;
    let readerQueued = 0;
    const sampler = (async () => {
      while (sampling) {
        const { rows } = await monitor.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'reader-loop' AND wait_event_type = 'Lock'");
        readerQueued += rows[0].n;
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const run = p.start(['migrate', '--lock-timeout-start', '100ms']);
    try {
      await run.waitForOutput(new RegExp(`waiting \\(not queued\\) for AccessExclusiveLock on accounts; held by pid ${blocker.pid}, application 'long-report', user postgres, from 127\\.0\\.0\\.1, idle in transaction for`));
      await new Promise((r) => setTimeout(r, 1500));
      // Waiting means: no transaction open, no lock on either table (orders is needed first, and is free).
      expect(await runnerState(p)).toBe('idle/0');
    } finally {
      sampling = false;
      await sampler;
      await monitor.end();
      await blocker.release();
    }
    const r = await run.done;
    const stats = await reader.stop();
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('migrations/0002_alter.sql:2: waiting (not queued) for AccessExclusiveLock on accounts');
    expect(r.stdout).toMatch(/holders gone after [\d.]+ s; attempting/);
    expect(await columnCount(p, 'email')).toBe('1');
    expect(await columnCount(p, 'note')).toBe('1');
    // Nobody queued behind the migration while the blocker lived, and no read failed. (How long
    // reads took is measured by bench/lock-queue.js, not asserted here: timings depend on the machine.)
    expect(readerQueued).toBe(0);
    expect(stats.failed).toBe(0);
    expect(stats.reads).toBeGreaterThan(20);
    // It attempted only once the holder was gone, and that first attempt got the locks.
    expect(r.stdout).toMatch(/✓ migrations\/0002_alter\.sql \((?!\d+ attempts)/);
  });

  it('gets through steady traffic of short transactions within its budget', async () => {
    const p = await projectWithTables();
    p.write('0002_alter.sql', 'ALTER TABLE accounts ADD COLUMN email text;\n');
    let running = true;
    let transactions = 0;
    const clients = await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        const c = new Client({ connectionString: p.url, application_name: `traffic-${i}` });
        c.on('error', () => undefined);
        await c.connect();
        return c;
      }),
    );
    const loops = clients.map(async (c, i) => {
      while (running) {
        await c.query('BEGIN');
        await c.query('SELECT name FROM accounts WHERE id = $1', [1 + (transactions % 1000)]).catch(() => undefined);
        if (i === 0) await c.query("UPDATE accounts SET name = 'w' WHERE id = $1", [1 + (transactions % 1000)]).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 5));
        await c.query('COMMIT').catch(() => undefined);
        transactions++;
      }
    });
    try {
      await new Promise((r) => setTimeout(r, 300));
      const r = await p.cli(['migrate', '--lock-wait-budget', '30s', '--format', 'json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).migrations[0].status).toBe('applied');
    } finally {
      running = false;
      await Promise.all(loops);
      await Promise.all(clients.map((c) => c.end()));
    }
    expect(transactions).toBeGreaterThan(50);
    expect(await columnCount(p, 'email')).toBe('1');
  });

  it('gives up when the budget is spent, naming the blocker, with nothing from the file applied', async () => {
    const p = await projectWithTables();
    p.write('0002_alter.sql', 'CREATE TABLE side (id int);\nALTER TABLE accounts ADD COLUMN email text;\n');
    const blocker = await holdLock(p.url, "UPDATE accounts SET name = 'x' WHERE id = 1", 'forever');
    try {
      const started = Date.now();
      const r = await p.cli(['migrate', '--lock-wait-budget', '2s', '--format', 'json']);
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(
        new RegExp(
          `^error: migrations/0002_alter\\.sql:2: gave up after waiting 2s \\(the lock wait budget\\) for AccessExclusiveLock on accounts; held by pid ${blocker.pid}, application 'forever', user postgres, .*: UPDATE accounts SET name = 'x' WHERE id = 1 — ` +
            `nothing from this file was applied; end or wait out the blocking session \\(pid ${blocker.pid}\\) and rerun, or raise --lock-wait-budget\\n$`,
        ),
      );
      const doc = JSON.parse(r.stdout);
      expect(doc.error.exitCode).toBe(4);
      const wait = doc.migrations[0].lockWaits[0];
      expect(wait).toMatchObject({ line: 2, waitingFor: 'AccessExclusiveLock on accounts' });
      expect(wait.blockers[0]).toMatchObject({ pid: blocker.pid, applicationName: 'forever', held: 'RowExclusiveLock', granted: true, state: 'idle in transaction' });
      // It never asked for the lock: no attempt, so no lock timeout.
      expect(doc.migrations[0].retries).toEqual([]);
    } finally {
      await blocker.release();
    }
    expect(await p.sql("SELECT to_regclass('side') IS NULL")).toBe('t');
    expect(await columnCount(p, 'email')).toBe('0');
    expect(await p.sql("SELECT count(*) FROM dbops.migrations WHERE version = '0002'")).toBe('0');
  });

  it('a statement-by-statement file with CONCURRENTLY gives up at the blocked statement and resumes there', async () => {
    const p = await projectWithTables();
    p.write(
      '0002_steps.sql',
      'CREATE INDEX CONCURRENTLY orders_account_idx ON orders (account_id);\nALTER TABLE accounts ADD COLUMN email text;\nCREATE INDEX CONCURRENTLY accounts_email_idx ON accounts (email);\n',
    );
    const blocker = await holdLock(p.url, 'SELECT count(*) FROM accounts', 'long-report');
    try {
      const r = await p.cli(['migrate', '--lock-wait-budget', '2s']);
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/^error: migrations\/0002_steps\.sql:2: gave up after waiting 2s \(the lock wait budget\) for AccessExclusiveLock on accounts; held by pid \d+, application 'long-report'.* — statements before line 2 were applied and recorded; a rerun continues at line 2; /);
    } finally {
      await blocker.release();
    }
    expect(await p.sql("SELECT indisvalid FROM pg_index WHERE indexrelid = 'orders_account_idx'::regclass")).toBe('t');
    const r = await p.cli(['migrate']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/continuing after statement 1 of 3/);
    expect(await p.sql("SELECT indisvalid FROM pg_index WHERE indexrelid = 'accounts_email_idx'::regclass")).toBe('t');
    expect(await p.sql("SELECT count(*) FROM dbops.migrations WHERE version = '0002'")).toBe('1');
  });

  it('takes the strong locks of a file up front, before its first statement runs', async () => {
    const p = await projectWithTables();
    p.write('0002_two.sql', 'ALTER TABLE orders ADD COLUMN note text;\nSELECT pg_sleep(2);\nALTER TABLE accounts ADD COLUMN email text;\n');
    const run = p.start(['migrate']);
    await waitFor(
      async () => (await p.sql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'dbops migrate' AND query LIKE 'SELECT pg_sleep%'")) === '1',
      20_000,
      'migration inside pg_sleep',
    );
    // accounts is altered only after the sleep, yet its lock is already held: taken up front, in order.
    expect(
      await p.sql(`SELECT string_agg(c.relname || ':' || l.mode, ',' ORDER BY c.relname) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                    JOIN pg_stat_activity a ON a.pid = l.pid WHERE a.application_name = 'dbops migrate' AND c.relname IN ('accounts', 'orders')`),
    ).toBe('accounts:AccessExclusiveLock,orders:AccessExclusiveLock');
    const r = await run.done;
    expect(r.code).toBe(0);
  });

  it('on a terminal, the wait is an ora spinner naming the holder', async () => {
    const p = await projectWithTables();
    p.write('0002_alter.sql', 'ALTER TABLE accounts ADD COLUMN email text;\n');
    const blocker = await holdLock(p.url, 'SELECT count(*) FROM accounts', 'long-report');
    // util-linux `script` gives the run a pseudo-terminal, as a person at a shell has.
    const command = [process.execPath, DBOPS_BIN, 'migrate', '--dir', 'migrations', '--url', p.url].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: p.dir, env: { ...process.env, NO_COLOR: '1', TERM: 'xterm' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
    try {
      await waitFor(async () => out.includes(`waiting, not queued, for AccessExclusiveLock on accounts: held by pid ${blocker.pid} ('long-report', idle in transaction)`), 30_000, 'the spinner');
    } finally {
      await blocker.release();
    }
    await closed;
    expect(out).toContain('✓ migrations/0002_alter.sql');
    // The log lines for a pipe are not printed on a terminal: the spinner said it.
    expect(out).not.toContain('waiting (not queued)');
    expect(await columnCount(p, 'email')).toBe('1');
  });

  it('migrate plan shows per statement the lock it will wait for and who holds a conflicting lock now', async () => {
    const p = await projectWithTables();
    p.write('0002_two.sql', 'ALTER TABLE orders ADD COLUMN note text;\nALTER TABLE accounts ADD COLUMN email text;\n');
    const blocker = await holdLock(p.url, 'SELECT count(*) FROM accounts', 'long-report');
    try {
      const r = await p.cli(['migrate', 'plan']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('waits for AccessExclusiveLock on orders: no conflicting lock held now');
      expect(r.stdout).toMatch(new RegExp(`waits for AccessExclusiveLock on accounts: held now by pid ${blocker.pid}, application 'long-report', .*SELECT count\\(\\*\\) FROM accounts \\(AccessShareLock\\)`));
      const doc = JSON.parse((await p.cli(['migrate', 'plan', '--format', 'json'])).stdout);
      expect(doc.migrations[0].statements[1].waitsFor[0]).toMatchObject({ relation: 'accounts', mode: 'AccessExclusiveLock', heldBy: [{ pid: blocker.pid, held: 'AccessShareLock', granted: true }] });
    } finally {
      await blocker.release();
    }
    expect(await columnCount(p, 'note')).toBe('0');
  });
});
