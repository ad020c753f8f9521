import * as fs from 'node:fs';
import * as path from 'node:path';
import { useCluster } from '../harness/cluster';
import { newProject } from './helpers';

const pg = useCluster();

const CREATE = 'CREATE TABLE accounts (id int PRIMARY KEY, name text);\nINSERT INTO accounts VALUES (1, \'a\'), (2, \'b\');\n';
const ADD_EMAIL = '-- add a column\nALTER TABLE accounts ADD COLUMN email text;\n';

describe('dbops migrate: apply, rerun, status', () => {
  it('applies pending migrations in version order, records them, and a rerun is a no-op', async () => {
    const p = await newProject(pg, { '0002_add_email.sql': ADD_EMAIL, '0001_create.sql': CREATE, '0010_later.sql': 'CREATE TABLE later (id int);' });
    const before = await p.cli(['migrate', 'status']);
    expect(before.code).toBe(0);
    expect(before.stdout).toMatch(/pending\s+migrations\/0001_create\.sql\n.*pending\s+migrations\/0002_add_email\.sql\n.*pending\s+migrations\/0010_later\.sql\n0 applied, 3 pending/);
    expect(await p.sql("SELECT to_regnamespace('dbops') IS NULL")).toBe('t');
    const first = await p.cli(['migrate']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Applying 3 migrations to 127\.0\.0\.1:\d+\/m\d+_\d+ \(lock_timeout from 100ms doubling up to 5s per attempt, lock waits up to 2min without queueing, statement_timeout 15min, up to 5 retries\)/);
    const order = ['0001_create', '0002_add_email', '0010_later'].map((f) => first.stdout.indexOf(`✓ migrations/${f}.sql`));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(await p.sql("SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'accounts'")).toBe('id,name,email');
    const rows = await p.sql("SELECT version || ':' || name || ':' || length(checksum) || ':' || (duration_ms >= 0) || ':' || (applied_by LIKE 'postgres (%@%)') || ':' || (dbops_version <> '') FROM dbops.migrations ORDER BY applied_at, version");
    expect(rows.split('\n')).toEqual(['0001:create:64:true:true:true', '0002:add_email:64:true:true:true', '0010:later:64:true:true:true']);

    const again = await p.cli(['migrate']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Nothing to apply: .* is up to date \(3 applied\)/);
    expect(await p.sql('SELECT count(*) FROM dbops.migrations')).toBe('3');

    const status = await p.cli(['migrate', 'status', '--format', 'json']);
    expect(status.code).toBe(0);
    const doc = JSON.parse(status.stdout);
    expect(doc.counts).toEqual({ applied: 3, pending: 0, changed: 0, missing: 0 });
    expect(doc.migrations.map((m: { version: string; state: string }) => `${m.version}=${m.state}`)).toEqual(['0001=applied', '0002=applied', '0010=applied']);
  });

  it('status lists pending, changed-after-apply and missing; migrate refuses drift unless --allow-changed', async () => {
    const p = await newProject(pg, { '0001_create.sql': CREATE, '0002_add_email.sql': ADD_EMAIL });
    expect((await p.cli(['migrate'])).code).toBe(0);
    p.write('0001_create.sql', CREATE + '-- edited after it was applied\n');
    p.remove('0002_add_email.sql');
    p.write('0003_more.sql', 'ALTER TABLE accounts ADD COLUMN phone text;');

    const status = await p.cli(['migrate', 'status']);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/CHANGED after apply\s+migrations\/0001_create\.sql .*checksum [0-9a-f]{12} recorded, file now [0-9a-f]{12}/);
    expect(status.stdout).toMatch(/MISSING file\s+0002_add_email/);
    expect(status.stdout).toMatch(/pending\s+migrations\/0003_more\.sql/);
    expect(status.stdout).toMatch(/0 applied, 1 pending, 1 changed after apply, 1 missing\./);

    const refused = await p.cli(['migrate']);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/^error: 1 applied migration was changed after being applied: migrations\/0001_create\.sql — .*--allow-changed/);
    expect(await p.sql("SELECT count(*) FROM information_schema.columns WHERE column_name = 'phone'")).toBe('0');

    const allowed = await p.cli(['migrate', '--allow-changed']);
    expect(allowed.code).toBe(0);
    expect(allowed.stderr).toMatch(/warning: 0002_add_email was applied but its file is missing/);
    expect(allowed.stdout).toMatch(/✓ migrations\/0003_more\.sql/);
    expect(await p.sql("SELECT count(*) FROM information_schema.columns WHERE column_name = 'phone'")).toBe('1');
  });

  it('a migration older than the latest applied one is listed out of order, warned about and applied', async () => {
    const p = await newProject(pg, { '0001_create.sql': CREATE, '0003_later.sql': 'CREATE TABLE later (id int);\n' });
    expect((await p.cli(['migrate'])).code).toBe(0);
    p.write('0002_from_a_branch.sql', ADD_EMAIL);
    const status = await p.cli(['migrate', 'status']);
    expect(status.stdout).toMatch(/pending\s+migrations\/0002_from_a_branch\.sql  \(older than the latest applied \(out of order\)\)/);
    const r = await p.cli(['migrate']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: migrations\/0002_from_a_branch\.sql is older than the latest applied migration: applying it out of order/);
    expect(r.stdout).toMatch(/✓ migrations\/0002_from_a_branch\.sql/);
  });

  it('a syntax error names file:line:col and applies nothing, not even earlier pending files', async () => {
    const p = await newProject(pg, {
      '0001_create.sql': CREATE,
      '0002_bad.sql': 'ALTER TABLE accounts ADD COLUMN ok int;\n\nALTER TABLE accounts ADD COLUM broken int;\n',
    });
    const r = await p.cli(['migrate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: migrations\/0002_bad\.sql:3:39: syntax error: syntax error at or near "int" — fix the SQL; nothing was applied\n$/);
    expect(await p.sql("SELECT to_regclass('accounts') IS NULL")).toBe('t');
  });

  it('an error while running names file and line and rolls the whole file back', async () => {
    const p = await newProject(pg, {
      '0001_create.sql': CREATE,
      '0002_fails.sql': 'CREATE TABLE side (id int);\nINSERT INTO side VALUES (1);\nUPDATE accounts\n   SET name = no_such_column;\n',
    });
    const r = await p.cli(['migrate']);
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/✓ migrations\/0001_create\.sql/);
    expect(r.stderr).toMatch(
      /^error: migrations\/0002_fails\.sql:4: column "no_such_column" does not exist \(SQLSTATE 42703\) — the migration was rolled back: nothing from this file was applied; fix the migration and rerun\n$/,
    );
    expect(await p.sql("SELECT to_regclass('side') IS NULL")).toBe('t');
    expect(await p.sql('SELECT string_agg(version, \',\') FROM dbops.migrations')).toBe('0001');
  });

  it('refuses a lock timeout above the policy maximum, and a file that raises it itself', async () => {
    const p = await newProject(pg, { '0001_create.sql': CREATE });
    const above = await p.cli(['migrate', '--lock-timeout', '10s']);
    expect(above.code).toBe(2);
    expect(above.stderr).toMatch(/^error: --lock-timeout 10s is above the policy maximum 5s — .*raise policy\.maxLockTimeout in dbops\.config\.json/);

    fs.writeFileSync(path.join(p.dir, 'dbops.config.json'), JSON.stringify({ policy: { maxLockTimeout: '20s' } }));
    p.write('0002_slow.sql', "SET lock_timeout = '1min';\nALTER TABLE accounts ADD COLUMN x int;\n");
    const inFile = await p.cli(['migrate']);
    expect(inFile.code).toBe(2);
    expect(inFile.stderr).toMatch(/^error: migrations\/0002_slow\.sql:1:1: lock_timeout = 1min exceeds the policy maximum 20s/);
    expect(await p.sql("SELECT to_regclass('dbops.migrations') IS NULL OR (SELECT count(*) = 0 FROM dbops.migrations)")).toBe('t');

    p.write('0002_slow.sql', "SET lock_timeout = '15s';\nALTER TABLE accounts ADD COLUMN x int;\n");
    const raised = await p.cli(['migrate', '--lock-timeout', '15s']);
    expect(raised.code).toBe(0);
    expect(raised.stdout).toMatch(/lock_timeout from 100ms doubling up to 15s per attempt/);
  });

  it('refuses a file that disables the lock timeout with set_config or RESET', async () => {
    const p = await newProject(pg, { '0001_create.sql': CREATE, '0002_off.sql': "SELECT set_config('lock_timeout', '0', false);\nALTER TABLE accounts ADD COLUMN x int;\n" });
    const viaSetConfig = await p.cli(['migrate']);
    expect(viaSetConfig.code).toBe(2);
    expect(viaSetConfig.stderr).toMatch(/^error: migrations\/0002_off\.sql:1:1: lock_timeout = 0 \(wait forever\) exceeds the policy maximum 5s/);
    p.write('0002_off.sql', 'RESET lock_timeout;\nALTER TABLE accounts ADD COLUMN x int;\n');
    const viaReset = await p.cli(['migrate']);
    expect(viaReset.code).toBe(2);
    expect(viaReset.stderr).toMatch(/^error: migrations\/0002_off\.sql:1:1: lock_timeout DEFAULT would drop the 5s cap dbops sets/);
  });

  it('a statement over the statement timeout fails with the fix, rolled back', async () => {
    const p = await newProject(pg, { '0001_slow.sql': 'CREATE TABLE t (id int);\nSELECT pg_sleep(3);\n' });
    const tooShort = await p.cli(['migrate', '--lock-timeout', '1s', '--statement-timeout', '1s']);
    expect(tooShort.code).toBe(2);
    expect(tooShort.stderr).toMatch(/^error: the statement timeout 1s must be longer than the lock timeout 1s — /);
    const r = await p.cli(['migrate', '--lock-timeout', '300ms', '--statement-timeout', '1s']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(
      /^error: migrations\/0001_slow\.sql:2: canceling statement due to statement timeout \(SQLSTATE 57014\) — the migration was rolled back: nothing from this file was applied; raise --statement-timeout \(now 1s\) or make the statement cheaper\n$/,
    );
    expect(await p.sql("SELECT to_regclass('t') IS NULL")).toBe('t');
  });

  it('refuses BEGIN/COMMIT inside a migration file', async () => {
    const p = await newProject(pg, { '0001_tx.sql': 'BEGIN;\nCREATE TABLE t (id int);\nCOMMIT;\n' });
    const r = await p.cli(['migrate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: migrations\/0001_tx\.sql:1:1: transaction control \(BEGIN\) in a migration — remove BEGIN\/COMMIT/);
  });

  it('runs only the up part of dbmate and goose files', async () => {
    const p = await newProject(pg, {
      '20240101000000_dbmate.sql': '-- migrate:up\nCREATE TABLE from_dbmate (id int);\n\n-- migrate:down\nDROP TABLE from_dbmate;\n',
      '20240102000000_goose.sql': '-- +goose Up\nCREATE TABLE from_goose (id int);\n-- +goose Down\nDROP TABLE from_goose;\n',
    });
    const r = await p.cli(['migrate']);
    expect(r.code).toBe(0);
    expect(await p.sql("SELECT to_regclass('from_dbmate') IS NOT NULL AND to_regclass('from_goose') IS NOT NULL")).toBe('t');
  });

  it('a dead server is one line with exit code 3 and no password', async () => {
    const p = await newProject(pg, { '0001_create.sql': CREATE });
    const r = await p.cli(['migrate', '--url', 'postgres://app:s3cret@127.0.0.1:1/app']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('error: cannot connect to 127.0.0.1:1/app: connection refused — start the server or fix the host/port in --url or DATABASE_URL\n');
    const status = await p.cli(['migrate', 'status', '--url', 'postgres://app:s3cret@127.0.0.1:1/app']);
    expect(status.code).toBe(3);
    expect(status.stderr).not.toContain('s3cret');
  });

  it('a missing migrations directory is a usage error', async () => {
    const p = await newProject(pg);
    const r = await p.cli(['migrate', '--dir', 'nowhere']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: the migrations directory nowhere does not exist — /);
  });

  it('create writes a timestamped file that migrate then applies', async () => {
    const p = await newProject(pg, { '0001_create.sql': CREATE });
    const r = await p.cli(['migrate', 'create', 'Add Phone!']);
    expect(r.code).toBe(0);
    const created = r.stdout.trim();
    expect(created).toMatch(/^migrations\/\d{14}_add_phone\.sql$/);
    const second = await p.cli(['migrate', 'create', 'add phone']);
    expect(second.stdout.trim()).not.toBe(created);
    fs.appendFileSync(path.join(p.dir, created), 'ALTER TABLE accounts ADD COLUMN phone text;\n');
    const applied = await p.cli(['migrate', '--format', 'json']);
    expect(applied.code).toBe(0);
    const doc = JSON.parse(applied.stdout);
    expect(doc.ok).toBe(true);
    expect(doc.applied).toBe(3);
    expect(doc.migrations.map((m: { file: string }) => m.file)).toContain(created);
    const bad = await p.cli(['migrate', 'create', '!!!']);
    expect(bad.code).toBe(2);

    const prisma = await newProject(pg);
    fs.mkdirSync(path.join(prisma.dir, 'migrations', '20240101000000_init'));
    prisma.write('20240101000000_init/migration.sql', CREATE);
    const inPrisma = await prisma.cli(['migrate', 'create', 'add phone']);
    expect(inPrisma.stdout.trim()).toMatch(/^migrations\/\d{14}_add_phone\/migration\.sql$/);
  });

  it('plan and --dry-run print the pending statements and execute nothing', async () => {
    const p = await newProject(pg, { '0001_create.sql': CREATE });
    expect((await p.cli(['migrate'])).code).toBe(0);
    p.write('0002_idx.sql', 'CREATE INDEX CONCURRENTLY accounts_name_idx ON accounts (name);\nALTER TABLE accounts ADD COLUMN email text;\n');
    for (const args of [['migrate', 'plan'], ['migrate', '--dry-run']]) {
      const r = await p.cli(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Plan for .*: 1 pending migration, each statement under lock_timeout 5s \(nothing was executed\)/);
      expect(r.stdout).toMatch(/migrations\/0002_idx\.sql — statement by statement \(CREATE INDEX CONCURRENTLY at line 1\)/);
      expect(r.stdout).toMatch(/line 2 +ALTER TABLE accounts ADD COLUMN email text/);
    }
    expect(await p.sql("SELECT to_regclass('accounts_name_idx') IS NULL")).toBe('t');
    expect(await p.sql('SELECT count(*) FROM dbops.migrations')).toBe('1');
  });
});
