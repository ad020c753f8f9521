import { holdLock, newProject, type Project } from './helpers';
import { useCluster } from '../harness/cluster';

const pg = useCluster();

/**
 * Issue #17 item 0: a table held ACCESS EXCLUSIVE by another session must never make reading the
 * catalog (live schema, plan) wait: catalog queries only, and a lock wait is retried, blocker named.
 */
async function project(): Promise<Project> {
  const p = await newProject(pg, {
    '0001_create.sql':
      'CREATE TABLE accounts (id int PRIMARY KEY, name text CHECK (name <> \'\'));\nCREATE INDEX accounts_lower_name ON accounts (lower(name));\n' +
      'CREATE TABLE unrelated (id int PRIMARY KEY, v text CHECK (v <> \'\'));\nCREATE INDEX unrelated_expr ON unrelated ((v || \'x\'));\n',
  });
  expect((await p.cli(['migrate'])).code).toBe(0);
  p.write('0002_alter.sql', 'ALTER TABLE accounts ADD COLUMN email text;\n');
  return p;
}

const emailAdded = (p: Project) => p.sql("SELECT count(*) FROM information_schema.columns WHERE table_name = 'accounts' AND column_name = 'email'");

describe('dbops migrate with a table locked ACCESS EXCLUSIVE by another session', () => {
  it('the altered table: migrate waits naming the blocker, then applies once it commits', async () => {
    const p = await project();
    const blocker = await holdLock(p.url, 'LOCK TABLE accounts', 'table-locker');
    const run = p.start(['migrate', '--retries', '10', '--lock-timeout', '300ms', '--retry-delay', '50ms']);
    try {
      await run.waitForOutput(new RegExp(`pid ${blocker.pid}, application 'table-locker'`), 30_000);
    } finally {
      await blocker.release();
    }
    const r = await run.done;
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    expect(await emailAdded(p)).toBe('1');
  });

  it('an unrelated table: migrate applies without waiting for it', async () => {
    const p = await project();
    const blocker = await holdLock(p.url, 'LOCK TABLE unrelated', 'table-locker');
    try {
      const r = await p.cli(['migrate', '--retries', '10', '--lock-timeout', '300ms'], { timeoutMs: 30_000 });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(await emailAdded(p)).toBe('1');
    } finally {
      await blocker.release();
    }
  });

  it.each(['accounts', 'unrelated'])('migrate plan reads the catalog without waiting when %s is locked', async (table) => {
    const p = await project();
    const blocker = await holdLock(p.url, `LOCK TABLE ${table}`, 'table-locker');
    try {
      const started = Date.now();
      const r = await p.cli(['migrate', 'plan', '--lock-timeout', '300ms'], { timeoutMs: 30_000 });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/AccessExclusiveLock on accounts/);
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      await blocker.release();
    }
    expect(await emailAdded(p)).toBe('0');
  });
});
