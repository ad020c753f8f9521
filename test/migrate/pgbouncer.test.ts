import { useCluster } from '../harness/cluster';
import { runCli } from '../harness/cli';
import { newProject } from './helpers';

describe('dbops migrate behind a transaction-pooling PgBouncer', () => {
  const pg = useCluster({ pgbouncer: true });

  it('refuses with an explanation and applies nothing', async () => {
    const p = await newProject(pg, { '0001_create.sql': 'CREATE TABLE accounts (id int);\n' });
    const database = new URL(p.url).pathname.slice(1);
    const viaBouncer = pg().urlFor(pg().pgbouncer!, { database });
    const r = await runCli(['migrate', '--dir', 'migrations', '--url', viaBouncer], { cwd: p.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error: 127\.0\.0\.1:\d+\/m\d+_\d+ looks like a transaction-pooling proxy \(e\.g\. PgBouncer pool_mode=transaction\): .* — connect dbops migrate directly to the primary/,
    );
    expect(r.stderr).not.toContain('dbops-test-password');
    expect(await p.sql("SELECT to_regclass('accounts') IS NULL AND to_regclass('dbops.migrations') IS NULL")).toBe('t');
    // Directly to the primary it works.
    expect((await p.cli(['migrate'])).code).toBe(0);
  });
});

describe('dbops migrate behind a session-pooling PgBouncer', () => {
  const pg = useCluster({ pgbouncer: { poolMode: 'session' } });

  it('accepts it: session state stays on one server connection', async () => {
    const p = await newProject(pg, { '0001_create.sql': 'CREATE TABLE accounts (id int);\n' });
    const database = new URL(p.url).pathname.slice(1);
    const viaBouncer = pg().urlFor(pg().pgbouncer!, { database });
    const r = await runCli(['migrate', '--dir', 'migrations', '--url', viaBouncer], { cwd: p.dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(await p.sql("SELECT to_regclass('accounts') IS NOT NULL")).toBe('t');
  });
});
