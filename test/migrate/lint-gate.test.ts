import * as fs from 'node:fs';
import * as path from 'node:path';
import { useCluster } from '../harness/cluster';
import { newProject } from './helpers';

const pg = useCluster();

const CREATE = 'CREATE TABLE accounts (id int PRIMARY KEY, email text);\n';
const BLOCKING_INDEX = 'CREATE INDEX accounts_email_idx ON accounts (email);\n';

describe('dbops migrate: lint gate', () => {
  it('an error-level finding in a pending migration blocks the run with exit 1 and nothing applied', async () => {
    const p = await newProject(pg, { '0001_create.sql': CREATE });
    expect((await p.cli(['migrate'])).code).toBe(0);
    p.write('0002_side.sql', 'CREATE TABLE side (id int);\n');
    p.write('0003_index.sql', BLOCKING_INDEX);
    const r = await p.cli(['migrate']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/migrations\/0003_index\.sql:1:1 +error +creating-index-non-concurrently/);
    expect(r.stderr).toMatch(/error: lint found 1 error in the pending migrations; nothing was applied — .*-- dbops-ignore: <rule-id> <reason>/);
    expect(await p.sql("SELECT to_regclass('side') IS NULL AND to_regclass('accounts_email_idx') IS NULL")).toBe('t');

    const json = await p.cli(['migrate', '--format', 'json']);
    expect(json.code).toBe(1);
    const doc = JSON.parse(json.stdout);
    expect(doc.ok).toBe(false);
    expect(doc.lint).toEqual([expect.objectContaining({ ruleId: 'creating-index-non-concurrently', severity: 'error', file: 'migrations/0003_index.sql' })]);

    const plan = await p.cli(['migrate', 'plan']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/line 1 +CREATE INDEX accounts_email_idx ON accounts \(email\)\n +ShareLock on accounts; blocks writes; no rewrite; full scan/);
    expect(plan.stdout).toMatch(/dbops migrate would refuse to run: 1 lint error/);
  });

  it('a suppression with a reason lets it through; one without a reason does not', async () => {
    const p = await newProject(pg, { '0001_create.sql': CREATE });
    p.write('0002_index.sql', `-- dbops-ignore: creating-index-non-concurrently\n${BLOCKING_INDEX}`);
    const noReason = await p.cli(['migrate']);
    expect(noReason.code).toBe(1);
    expect(noReason.stderr).toMatch(/gives no reason/);
    p.write('0002_index.sql', `-- dbops-ignore: creating-index-non-concurrently the table is created empty in 0001\n${BLOCKING_INDEX}`);
    const ok = await p.cli(['migrate']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/✓ migrations\/0002_index\.sql/);
    expect(await p.sql("SELECT to_regclass('accounts_email_idx') IS NOT NULL")).toBe('t');
  });

  it('a table created by an earlier pending migration counts as new, and config severities apply', async () => {
    const p = await newProject(pg, { '0001_create.sql': CREATE, '0002_index.sql': BLOCKING_INDEX });
    const r = await p.cli(['migrate']);
    expect(r.code).toBe(0);
    fs.writeFileSync(path.join(p.dir, 'dbops.config.json'), JSON.stringify({ lint: { rules: { 'creating-index-non-concurrently': 'warning' } } }));
    p.write('0003_index2.sql', 'CREATE INDEX accounts_id_email_idx ON accounts (id, email);\n');
    const warned = await p.cli(['migrate']);
    expect(warned.code).toBe(0);
    expect(warned.stderr).toMatch(/warning +creating-index-non-concurrently/);
    fs.writeFileSync(path.join(p.dir, 'dbops.config.json'), JSON.stringify({ lint: { rules: { 'no-such-rule': 'off' } } }));
    p.write('0004_more.sql', 'CREATE TABLE more (id int);\n');
    const typo = await p.cli(['migrate']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/^error: \S+\/dbops\.config\.json: lint\.rules names unknown lint rule "no-such-rule" — /);
  });

  it('plan and the gate know the live column types: widening a varchar is safe, int to bigint rewrites', async () => {
    const p = await newProject(pg, { '0001_create.sql': 'CREATE TABLE people (id int PRIMARY KEY, nick varchar(50));\n' });
    expect((await p.cli(['migrate'])).code).toBe(0);
    p.write('0002_widen.sql', 'ALTER TABLE people ALTER COLUMN nick TYPE varchar(100);\n');
    p.write('0003_bigint.sql', 'ALTER TABLE people ALTER COLUMN id TYPE bigint;\n');
    const plan = await p.cli(['migrate', 'plan', '--format', 'json']);
    expect(plan.code).toBe(0);
    const doc = JSON.parse(plan.stdout);
    const [widen, bigint] = doc.migrations.map((m: { statements: Array<{ relations: Array<{ rewrite: string; locks: string[] }> }> }) => m.statements[0].relations[0]);
    expect(widen).toMatchObject({ rewrite: 'no', locks: ['AccessExclusiveLock'] });
    expect(bigint.rewrite).toBe('yes');
    expect(doc.lint).toEqual([expect.objectContaining({ ruleId: 'changing-column-type', severity: 'error', file: 'migrations/0003_bigint.sql' })]);
    const run = await p.cli(['migrate']);
    expect(run.code).toBe(1);
    expect(await p.sql("SELECT character_maximum_length FROM information_schema.columns WHERE column_name = 'nick'")).toBe('50');
  });
});
