import { useCluster } from '../harness/cluster';
import { holdLock, newProject, waitForRunnerBlocked, type Project } from './helpers';

const pg = useCluster();

const CREATE = 'CREATE TABLE accounts (id int PRIMARY KEY, name text);\nINSERT INTO accounts SELECT g, \'n\' || g FROM generate_series(1, 100) g;\n';
const ALTER = 'CREATE TABLE audit_side (id int);\nALTER TABLE accounts ADD COLUMN email text;\n';

async function projectWithTable(): Promise<Project> {
  const p = await newProject(pg, { '0001_create.sql': CREATE });
  expect((await p.cli(['migrate'])).code).toBe(0);
  p.write('0002_alter.sql', ALTER);
  return p;
}

describe('dbops migrate: lock timeouts, blockers, retries', () => {
  // --no-watch-holders: attempts at once, each queueing for its lock_timeout (the retry machinery on its own).
  const QUEUEING = ['--no-watch-holders', '--lock-timeout-start', '300ms'];

  it('names the blocker after each 55P03, retries with backoff, and succeeds once the blocker commits', async () => {
    const p = await projectWithTable();
    const blocker = await holdLock(p.url, 'SELECT count(*) FROM accounts');
    const run = p.start(['migrate', ...QUEUEING, '--lock-timeout', '300ms', '--retries', '20', '--retry-delay', '100ms']);
    await run.waitForOutput(/retry 2\/20/);
    await blocker.release();
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/lock_timeout 300ms/);
    expect(r.stdout).toContain(
      `! migrations/0002_alter.sql:2: lock timeout (55P03, after 300ms) waiting for AccessExclusiveLock on accounts; blocked by pid ${blocker.pid}, application 'blocker-app', user postgres, from 127.0.0.1, idle in transaction for`,
    );
    expect(r.stdout).toMatch(/transaction open [\d.]+ s: SELECT count\(\*\) FROM accounts\n {4}rolled back; retry 1\/20 in 0\.\d s/);
    expect(r.stdout).toMatch(/✓ migrations\/0002_alter\.sql \(\d+ attempts, /);
    expect(await p.sql("SELECT count(*) FROM information_schema.columns WHERE table_name = 'accounts' AND column_name = 'email'")).toBe('1');
    expect(await p.sql("SELECT to_regclass('audit_side') IS NOT NULL")).toBe('t');
    expect(await p.sql("SELECT count(*) FROM dbops.migrations WHERE version = '0002'")).toBe('1');
  });

  it('gives up after --retries with exit code 4, the blocker named, and nothing from the file applied', async () => {
    const p = await projectWithTable();
    const blocker = await holdLock(p.url, "UPDATE accounts SET name = 'x' WHERE id = 1", 'nightly-report');
    try {
      const r = await p.cli(['migrate', ...QUEUEING, '--lock-timeout', '300ms', '--retries', '2', '--retry-delay', '50ms', '--format', 'json']);
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(
        new RegExp(
          `^error: migrations/0002_alter\\.sql:2: gave up after 3 attempts: lock timeout every time \\(the last after 300ms\\) waiting for AccessExclusiveLock on accounts; ` +
            `blocked by pid ${blocker.pid}, application 'nightly-report', .* — the migration was rolled back: nothing from this file was applied; end or wait out the blocking session \\(pid ${blocker.pid}\\) and rerun\\n$`,
        ),
      );
      const doc = JSON.parse(r.stdout);
      expect(doc.ok).toBe(false);
      expect(doc.error.exitCode).toBe(4);
      const m = doc.migrations.find((x: { version: string }) => x.version === '0002');
      expect(m.status).toBe('failed');
      expect(m.retries).toHaveLength(2);
      expect(m.retries[0]).toMatchObject({ attempt: 1, sqlstate: '55P03', waitingFor: 'AccessExclusiveLock on accounts' });
      expect(m.retries[0].blockers[0]).toMatchObject({ pid: blocker.pid, applicationName: 'nightly-report', user: 'postgres', state: 'idle in transaction' });
      expect(m.retries[0].blockers[0].query).toMatch(/UPDATE accounts/);
    } finally {
      await blocker.release();
    }
    expect(await p.sql("SELECT to_regclass('audit_side') IS NULL")).toBe('t');
    expect(await p.sql("SELECT count(*) FROM information_schema.columns WHERE column_name = 'email'")).toBe('0');
    expect(await p.sql("SELECT count(*) FROM dbops.migrations WHERE version = '0002'")).toBe('0');
    // The runner held no transaction and no lock after giving up: readers were never queued behind it.
    expect(await p.sql("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'dbops migrate%'")).toBe('0');
  });

  it("never prints a password from the blocker's query", async () => {
    const p = await projectWithTable();
    const blocker = await holdLock(p.url, "SELECT count(*) FROM accounts; CREATE ROLE leaky LOGIN PASSWORD 'top''secret'");
    try {
      const r = await p.cli(['migrate', '--lock-wait-budget', '1s', '--format', 'json']);
      expect(r.code).toBe(4);
      expect(r.stdout + r.stderr).not.toMatch(/top'?'?secret/);
      expect(JSON.parse(r.stdout).migrations[0].lockWaits[0].blockers[0].query).toContain("PASSWORD '***'");
      expect(r.stderr).toContain("CREATE ROLE leaky LOGIN PASSWORD '***'");
    } finally {
      await blocker.release();
    }
  });

  it('lets only one runner at a time: a second exits with the holder named, or queues with --wait', async () => {
    const p = await projectWithTable();
    const blocker = await holdLock(p.url, 'SELECT count(*) FROM accounts');
    const first = p.start(['migrate', '--retry-delay', '100ms']);
    await first.waitForOutput(/waiting \(not queued\) for AccessExclusiveLock on accounts/);
    const second = await p.cli(['migrate']);
    expect(second.code).toBe(4);
    expect(second.stderr).toMatch(
      /^error: another dbops migrate is already running on this database \(pid \d+, application 'dbops migrate', user postgres, from 127\.0\.0\.1, connected [\d.]+ s ago\) — wait for it to finish, or rerun with --wait to queue behind it\n$/,
    );
    const waiting = p.start(['migrate', '--wait']);
    await waiting.waitForOutput(/Another dbops migrate is running \(pid \d+.*\); waiting for it to finish \(--wait\)\./);
    await blocker.release();
    const a = await first.done;
    const b = await waiting.done;
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(/✓ migrations\/0002_alter\.sql/);
    expect(b.code).toBe(0);
    expect(b.stdout).toMatch(/Nothing to apply: .* is up to date \(2 applied\)\./);
  });

  it('a runner queued with --wait never stalls the first runner\'s CREATE INDEX CONCURRENTLY', async () => {
    const p = await projectWithTable();
    p.write('0002_alter.sql', 'CREATE INDEX CONCURRENTLY accounts_name_idx ON accounts (name);\n');
    const writer = await holdLock(p.url, "UPDATE accounts SET name = 'x' WHERE id = 1", 'busy-writer');
    const first = p.start(['migrate']);
    await waitForRunnerBlocked(p);
    const waiting = p.start(['migrate', '--wait']);
    await waiting.waitForOutput(/waiting for it to finish \(--wait\)/);
    await writer.release();
    const a = await first.done;
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(/✓ migrations\/0002_alter\.sql/);
    const b = await waiting.done;
    expect(b.code).toBe(0);
    expect(b.stdout).toMatch(/Nothing to apply/);
    expect(await p.sql("SELECT indisvalid FROM pg_index WHERE indexrelid = 'accounts_name_idx'::regclass")).toBe('t');
  });

  it('--wait-timeout gives up with exit code 4', async () => {
    const p = await projectWithTable();
    const blocker = await holdLock(p.url, 'SELECT count(*) FROM accounts');
    const first = p.start(['migrate', '--retry-delay', '100ms']);
    try {
      await first.waitForOutput(/waiting \(not queued\) for AccessExclusiveLock on accounts/);
      const r = await p.cli(['migrate', '--wait', '--wait-timeout', '1s']);
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/^error: gave up after waiting 1s for another dbops migrate to finish \(pid \d+/);
    } finally {
      await blocker.release();
      await first.done;
    }
  });

  it('as an unprivileged role it still names the blocker and says how to see more', async () => {
    const p = await projectWithTable();
    const database = new URL(p.url).pathname.slice(1);
    await pg().psql(pg().primary, `CREATE ROLE deployer LOGIN PASSWORD 'deploy-pw'; ALTER DATABASE ${database} OWNER TO deployer;`);
    await p.sql('ALTER TABLE accounts OWNER TO deployer; GRANT ALL ON SCHEMA dbops TO deployer; GRANT ALL ON ALL TABLES IN SCHEMA dbops TO deployer');
    const blocker = await holdLock(p.url, 'SELECT count(*) FROM accounts', 'superuser-report');
    try {
      const url = pg().urlFor(pg().primary, { user: 'deployer', password: 'deploy-pw', database });
      const r = await p.cli(['migrate', '--url', url, '--lock-wait-budget', '1s']);
      expect(r.code).toBe(4);
      expect(r.stdout).toContain(`held by pid ${blocker.pid}, application 'superuser-report', user postgres, its state and query are hidden from this role (grant it pg_read_all_stats to see them)`);
      expect(r.stdout + r.stderr).not.toContain('deploy-pw');
    } finally {
      await blocker.release();
    }
  });
});
