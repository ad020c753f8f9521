/** `dbops migrate plan --verify`: the pending statements traced on a scratch database primed with the live schema. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { useCluster } from '../harness/cluster';
import { newProject } from '../migrate/helpers';

const pg = useCluster();

describe('dbops migrate plan --verify', () => {
  it('replays the live schema on a scratch database, traces the pending statements and drops it; the target is untouched', async () => {
    const p = await newProject(pg, { '0001_create.sql': 'CREATE TABLE people (id int PRIMARY KEY, nick varchar(50));\n' });
    expect((await p.cli(['migrate'])).code).toBe(0);
    p.write('0002_widen.sql', 'ALTER TABLE people ALTER COLUMN nick TYPE varchar(100);\n');
    p.write('0003_bigint.sql', 'ALTER TABLE people ALTER COLUMN id TYPE bigint;\n');
    const plan = await p.cli(['migrate', 'plan', '--format', 'json', '--verify', pg().primary.url], { timeoutMs: 120_000 });
    expect(plan.stderr).toBe('');
    const doc = JSON.parse(plan.stdout);
    expect(doc.verification.statements.map((s: { file: string; observed: string; modelWasWrong: boolean }) => [s.file, s.observed, s.modelWasWrong])).toEqual([
      ['migrations/0002_widen.sql', 'AccessExclusiveLock on people', false],
      ['migrations/0003_bigint.sql', 'AccessExclusiveLock on people, rewrite, full scan, index build', false],
    ]);
    const text = await p.cli(['migrate', 'plan', '--verify', pg().primary.url], { timeoutMs: 120_000 });
    expect(text.stdout).toMatch(/Verified on .*dbops_verify_\w+ \(history replayed in \d+ ms\):\n {2}migrations\/0002_widen\.sql:1 {2}as predicted/);
    expect(await p.sql("SELECT character_maximum_length FROM information_schema.columns WHERE column_name = 'nick'")).toBe('50');
    expect(await pg().psql(pg().primary, "SELECT count(*) FROM pg_database WHERE datname LIKE 'dbops\\_verify\\_%'")).toBe('0');
  });

  it('knows the live tablespace of a table: SET TABLESPACE to where it is copies nothing', async () => {
    const dir = path.join(pg().dir, 'tablespace-plan');
    fs.mkdirSync(dir);
    if (process.getuid?.() === 0) execFileSync('chown', ['postgres:postgres', dir]);
    await pg().psql(pg().primary, `CREATE TABLESPACE plan_space LOCATION '${dir}'`);
    const p = await newProject(pg, { '0001_create.sql': 'CREATE TABLE archive (id int) TABLESPACE plan_space;\nCREATE TABLE hot (id int);\n' });
    expect((await p.cli(['migrate'])).code).toBe(0);
    p.write('0002_move.sql', 'ALTER TABLE archive SET TABLESPACE plan_space;\nALTER TABLE hot SET TABLESPACE plan_space;\n');
    const doc = JSON.parse((await p.cli(['migrate', 'plan', '--format', 'json'])).stdout);
    expect(doc.migrations[0].statements.map((s: { relations: Array<{ rewrite: string }> }) => s.relations[0].rewrite)).toEqual(['no', 'yes']);
  });

  it('replays schemas, enum types, domains and expression indexes of the live schema', async () => {
    const p = await newProject(pg, {
      '0001_create.sql': [
        'CREATE SCHEMA app;',
        "CREATE TYPE app.mood AS ENUM ('ok', 'it''s bad');",
        'CREATE DOMAIN positive AS int NOT NULL CHECK (VALUE > 0);',
        'CREATE TABLE app.people (id positive PRIMARY KEY, m app.mood, tags app.mood[], email varchar(50), nick varchar(50));',
        'CREATE INDEX people_email_lower ON app.people (lower(email));',
        'CREATE INDEX people_nick ON app.people (nick);',
      ].join('\n'),
    });
    expect((await p.cli(['migrate'])).code).toBe(0);
    p.write('0002_widen.sql', 'ALTER TABLE app.people ALTER COLUMN email TYPE varchar(100);\nALTER TABLE app.people ALTER COLUMN nick TYPE varchar(100);\nALTER TABLE app.people ALTER COLUMN id TYPE int;\n');
    const plan = await p.cli(['migrate', 'plan', '--format', 'json', '--verify', pg().primary.url], { timeoutMs: 120_000 });
    expect(plan.stderr).toBe('');
    const doc = JSON.parse(plan.stdout);
    // The expression index is built again, the plain one is kept; dropping the domain rewrites nothing.
    expect(doc.verification.statements.map((s: { observed: string; modelWasWrong: boolean; error: unknown }) => [s.observed, s.modelWasWrong, s.error])).toEqual([
      ['AccessExclusiveLock on app.people, full scan, index build', false, null],
      ['AccessExclusiveLock on app.people', false, null],
      ['AccessExclusiveLock on app.people', false, null],
    ]);
    expect(doc.lint.map((f: { ruleId: string; category: string }) => [f.ruleId, f.category])).toContainEqual(['changing-column-type', 'index-build']);
  });
});
