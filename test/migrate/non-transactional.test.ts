import { useCluster } from '../harness/cluster';
import { waitFor } from '../../src/testing/cluster';
import { holdLock, newProject, waitForRunnerBlocked, type Project } from './helpers';

const pg = useCluster();

const CREATE = "CREATE TABLE accounts (id int PRIMARY KEY, name text);\nINSERT INTO accounts SELECT g, 'n' || g FROM generate_series(1, 1000) g;\n";
const FAST = ['--lock-timeout', '300ms', '--retry-delay', '50ms'];

async function projectWithTable(): Promise<Project> {
  const p = await newProject(pg, { '0001_create.sql': CREATE });
  expect((await p.cli(['migrate'])).code).toBe(0);
  return p;
}

const indexState = (p: Project, name: string) =>
  p.sql(`SELECT coalesce((SELECT CASE WHEN i.indisvalid THEN 'valid' ELSE 'INVALID' END FROM pg_index i WHERE i.indexrelid = to_regclass('${name}')), 'absent')`);

describe('dbops migrate: files that cannot run in a transaction', () => {
  it('runs them statement by statement with progress, and a rerun continues where the last run stopped', async () => {
    const p = await projectWithTable();
    p.write(
      '0002_indexes.sql',
      'CREATE INDEX CONCURRENTLY accounts_name_idx ON accounts (name);\nALTER TABLE accounts ADD COLUMN email text;\nCREATE INDEX CONCURRENTLY accounts_email_idx ON accounts (email);\n',
    );
    const blocker = await holdLock(p.url, 'SELECT count(*) FROM accounts');
    let stopped;
    try {
      stopped = await p.cli(['migrate', ...FAST, '--lock-wait-budget', '1s']);
    } finally {
      await blocker.release();
    }
    expect(stopped.code).toBe(4);
    expect(stopped.stdout).toMatch(/→ migrations\/0002_indexes\.sql: statement by statement, each committed on its own \(CREATE INDEX CONCURRENTLY at line 1\)/);
    expect(stopped.stderr).toMatch(
      /^error: migrations\/0002_indexes\.sql:2: gave up after waiting 1s \(the lock wait budget\) for AccessExclusiveLock on accounts; held by .* — statements before line 2 were applied and recorded; a rerun continues at line 2; end or wait out/,
    );
    expect(await indexState(p, 'accounts_name_idx')).toBe('valid');
    expect(await p.sql("SELECT string_agg(statement_index::text, ',') FROM dbops.migration_progress WHERE version = '0002'")).toBe('0');

    const status = await p.cli(['migrate', 'status']);
    expect(status.stdout).toMatch(/pending\s+migrations\/0002_indexes\.sql  \(1 statement done by an interrupted run\)/);

    const original = 'CREATE INDEX CONCURRENTLY accounts_name_idx ON accounts (name);\nALTER TABLE accounts ADD COLUMN email text;\nCREATE INDEX CONCURRENTLY accounts_email_idx ON accounts (email);\n';
    p.write('0002_indexes.sql', original.replace('email text', 'email varchar(200)'));
    const edited = await p.cli(['migrate']);
    expect(edited.code).toBe(4);
    expect(edited.stderr).toMatch(/^error: migrations\/0002_indexes\.sql changed since an interrupted run applied 1 of its statements — restore the file/);
    p.write('0002_indexes.sql', original);

    const resumed = await p.cli(['migrate']);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/continuing after statement 1 of 3 \(done by an interrupted run\)/);
    expect(resumed.stdout).not.toMatch(/already exists/);
    expect(resumed.stdout).toMatch(/✓ migrations\/0002_indexes\.sql/);
    expect(await indexState(p, 'accounts_email_idx')).toBe('valid');
    expect(await p.sql("SELECT count(*) FROM dbops.migration_progress")).toBe('0');
    expect(await p.sql("SELECT count(*) FROM dbops.migrations WHERE version = '0002'")).toBe('1');
  });

  it('drops the INVALID index a timed-out CREATE INDEX CONCURRENTLY leaves, says so, and retries until it builds', async () => {
    const p = await projectWithTable();
    p.write('0002_index.sql', 'CREATE INDEX CONCURRENTLY accounts_name_idx ON accounts (name);\n');
    // A writer in an open transaction: the build starts, then waits for it, and times out.
    const writer = await holdLock(p.url, "UPDATE accounts SET name = 'x' WHERE id = 1", 'busy-writer');
    const run = p.start(['migrate', ...FAST, '--retries', '30']);
    await run.waitForOutput(/found INVALID index public\.accounts_name_idx/);
    expect(await indexState(p, 'accounts_name_idx')).toBe('INVALID');
    await writer.release();
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`blocked by pid ${writer.pid}, application 'busy-writer'`);
    expect(r.stdout).toMatch(/! found INVALID index public\.accounts_name_idx, left INVALID by the failed CREATE INDEX CONCURRENTLY; dropping it concurrently/);
    expect(r.stdout).toMatch(/✓ dropped INVALID index public\.accounts_name_idx \(with DROP INDEX CONCURRENTLY\)/);
    expect(r.stdout).toMatch(/✓ migrations\/0002_index\.sql \(\d+ attempts/);
    expect(await indexState(p, 'accounts_name_idx')).toBe('valid');
  });

  it('cleans up the _ccnew copy a timed-out REINDEX CONCURRENTLY leaves', async () => {
    const p = await projectWithTable();
    p.write('0002_reindex.sql', 'REINDEX INDEX CONCURRENTLY accounts_pkey;\n');
    const writer = await holdLock(p.url, "UPDATE accounts SET name = 'x' WHERE id = 1", 'busy-writer');
    const run = p.start(['migrate', ...FAST, '--retries', '30']);
    await run.waitForOutput(/found INVALID index public\.accounts_pkey_ccnew/);
    await writer.release();
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ dropped INVALID index public\.accounts_pkey_ccnew/);
    expect(await p.sql("SELECT count(*) FROM pg_index WHERE NOT indisvalid")).toBe('0');
    expect(await indexState(p, 'accounts_pkey')).toBe('valid');
  });

  it('after SIGKILL in the middle of a CONCURRENTLY build, the next run drops the INVALID leftover and builds it', async () => {
    const p = await projectWithTable();
    p.write('0002_index.sql', 'CREATE INDEX CONCURRENTLY accounts_name_idx ON accounts (name);\n');
    const writer = await holdLock(p.url, "UPDATE accounts SET name = 'x' WHERE id = 1", 'busy-writer');
    const run = p.start(['migrate', '--lock-timeout', '5s']);
    try {
      await waitForRunnerBlocked(p);
      run.child.kill('SIGKILL');
      await run.done;
      // The server notices the dead client and cancels the build.
      await waitFor(async () => (await p.sql("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'dbops migrate%'")) === '0', 15_000, 'killed runner gone');
    } finally {
      await writer.release();
    }
    expect(await indexState(p, 'accounts_name_idx')).toBe('INVALID');
    const r = await p.cli(['migrate']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/! found INVALID index public\.accounts_name_idx, left INVALID by an earlier interrupted run; dropping it concurrently/);
    expect(r.stdout).toMatch(/✓ dropped INVALID index public\.accounts_name_idx/);
    expect(await indexState(p, 'accounts_name_idx')).toBe('valid');
  });

  it('runs ALTER TYPE … ADD VALUE outside the transaction when the file uses the new value', async () => {
    const p = await newProject(pg, { '0001_type.sql': "CREATE TYPE mood AS ENUM ('sad');\n" });
    p.write('0002_value.sql', "ALTER TYPE mood ADD VALUE 'happy';\nCREATE TABLE moods (m mood DEFAULT 'happy');\n");
    const r = await p.cli(['migrate']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/statement by statement, each committed on its own \(ALTER TYPE … ADD VALUE used later in the same file at line 1\)/);
    expect(await p.sql("SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = 'mood'::regtype")).toBe('sad,happy');
  });

  it.each([
    ['-- dbops:no-transaction', '-- dbops:no-transaction\n'],
    ['-- +goose NO TRANSACTION', '-- +goose NO TRANSACTION\n-- +goose Up\n'],
    ['-- migrate:up transaction:false', '-- migrate:up transaction:false\n'],
  ])('the header %s runs an ordinary file statement by statement', async (label, header) => {
    const p = await projectWithTable();
    p.write('0002_header.sql', `${header}CREATE TABLE one (id int);\nCREATE TABLE two (id int);\nSELECT 1/0;\n`);
    const failingLine = header.split('\n').length + 2;
    const r = await p.cli(['migrate']);
    expect(r.code).toBe(4);
    expect(r.stdout).toContain(`statement by statement, each committed on its own (${label})`);
    expect(r.stderr).toMatch(new RegExp(`^error: migrations/0002_header\\.sql:${failingLine}: division by zero \\(SQLSTATE 22012\\) — statements before line ${failingLine} were applied and recorded`));
    expect(await p.sql("SELECT to_regclass('one') IS NOT NULL AND to_regclass('two') IS NOT NULL")).toBe('t');
    expect(await p.sql("SELECT count(*) FROM dbops.migration_progress WHERE version = '0002'")).toBe('2');
  });
});
