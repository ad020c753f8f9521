/**
 * `dbops lint --verify` against a real PostgreSQL 15: the scratch database is created and
 * dropped (also on SIGINT), the history is replayed, each statement is traced, and where the
 * observation contradicts the model it decides the finding and says "model was wrong here".
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { DBOPS_BIN, runCli } from '../harness/cli';
import { useCluster } from '../harness/cluster';
import { useTempTrees } from '../harness/temp-tree';

const cluster = useCluster();
const tree = useTempTrees('dbops-verify-');

interface VerifiedJson {
  file: string;
  line: number;
  traced: string;
  predicted: string;
  observed: string;
  modelWasWrong: boolean;
  mismatches: string[];
  error: { code: string | null; message: string } | null;
  fromModel: string | null;
}

const project = (files: Record<string, string>): string => tree(files);

async function scratchDatabases(): Promise<string[]> {
  const out = await cluster().psql(cluster().primary, "SELECT string_agg(datname, ',') FROM pg_database WHERE datname LIKE 'dbops\\_verify\\_%'");
  return out ? out.split(',') : [];
}

async function lintJson(dir: string, target: string, files = ['migrations/']) {
  const res = await runCli(['lint', ...files, '--verify', target, '--format', 'json'], { cwd: dir, timeoutMs: 120_000 });
  const doc = JSON.parse(res.stdout || '{}');
  return { res, doc, statements: (doc.verification?.statements ?? []) as VerifiedJson[] };
}

/** The statements of migrations/0002.sql as --verify traced them, each checked: no server error, the model right. */
async function tracedWithoutModelErrors(dir: string): Promise<VerifiedJson[]> {
  const { statements } = await lintJson(dir, cluster().primary.url);
  const traced = statements.filter((s) => s.file === 'migrations/0002.sql');
  expect(traced.map((s) => [s.line, s.error, s.modelWasWrong, s.mismatches])).toEqual(traced.map((_, i) => [i + 1, null, false, []]));
  return traced;
}

const SCHEMA = 'CREATE TABLE users (id int PRIMARY KEY, name varchar(50), email text, created timestamp);\n';

describe('dbops lint --verify', () => {
  it('replays the schema file, traces each statement and agrees with the model where it is right; drops the scratch database', async () => {
    const dir = project({
      'dbops.config.json': JSON.stringify({ lint: { schemaFile: 'schema.sql' } }),
      'schema.sql': SCHEMA,
      'migrations/0002.sql': "SET lock_timeout = '2s';\nALTER TABLE users ALTER COLUMN name TYPE varchar(100);\nALTER TABLE users ALTER COLUMN id TYPE bigint;\nALTER TABLE users ADD COLUMN org int NOT NULL;\n",
    });
    const { res, doc, statements } = await lintJson(dir, cluster().primary.url);
    expect(res.stderr).toBe('');
    expect(statements.map((s) => [s.line, s.traced, s.modelWasWrong])).toEqual([
      [1, 'transaction', false],
      [2, 'transaction', false],
      [3, 'transaction', false],
      [4, 'transaction', false],
    ]);
    expect(statements[1]).toMatchObject({ predicted: 'AccessExclusiveLock on users', observed: 'AccessExclusiveLock on users' });
    expect(statements[2].observed).toContain('rewrite');
    // Only data would show this one fail: the model says so.
    expect(statements[3].fromModel).toContain('23502');
    expect(doc.findings.map((f: { ruleId: string; verification: { modelWasWrong: boolean } }) => [f.ruleId, f.verification.modelWasWrong])).toEqual([
      ['changing-column-type', false],
      ['adding-required-column', false],
    ]);
    expect(res.code).toBe(1);
    expect(await scratchDatabases()).toEqual([]);
  });

  it('replays the migrations already applied (older than --since) as history, and verifies only the new ones', async () => {
    const dir = project({ 'migrations/0001.sql': SCHEMA });
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd: dir });
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-q', '-m', 'history');
    fs.writeFileSync(path.join(dir, 'migrations/0002.sql'), "SET lock_timeout = '2s';\nALTER TABLE users ALTER COLUMN name TYPE text;\nALTER TABLE users ALTER COLUMN email TYPE varchar(10);\n");
    const res = await runCli(['lint', 'migrations/', '--since', 'main', '--verify', cluster().primary.url, '--format', 'json'], { cwd: dir, timeoutMs: 120_000 });
    const statements = JSON.parse(res.stdout).verification.statements as VerifiedJson[];
    expect(statements.map((s) => [s.file, s.line, s.error, s.modelWasWrong])).toEqual([
      ['migrations/0002.sql', 1, null, false],
      ['migrations/0002.sql', 2, null, false],
      ['migrations/0002.sql', 3, null, false],
    ]);
    expect(statements[2].observed).toBe('AccessExclusiveLock on users, rewrite, full scan, index build');
    expect(res.code).toBe(1);
  });

  it('lets the observation decide where a wrong schema misleads the model, and says the model was wrong', async () => {
    // The schema file narrows the column in a way the model cannot read (dynamic SQL): it believes varchar(50).
    const dir = project({
      'dbops.config.json': JSON.stringify({ lint: { schemaFile: 'schema.sql' } }),
      'schema.sql': `${SCHEMA}DO $$ BEGIN EXECUTE format('ALTER TABLE users ALTER COLUMN name TYPE varchar(%s)', 10); END $$;\n`,
      'migrations/0002.sql': "SET lock_timeout = '2s';\nALTER TABLE users ALTER COLUMN name TYPE varchar(20);\n",
    });
    const statically = await runCli(['lint', 'migrations/', '--format', 'json'], { cwd: dir });
    expect(JSON.parse(statically.stdout).findings.map((f: { ruleId: string }) => f.ruleId)).toEqual(['changing-column-type']);
    expect(statically.code).toBe(1);

    const { res, doc, statements } = await lintJson(dir, cluster().primary.url);
    expect(statements[1]).toMatchObject({ modelWasWrong: true, predicted: expect.stringContaining('rewrite'), observed: 'AccessExclusiveLock on users' });
    expect(statements[1].mismatches).toContain('users: predicted a rewrite, observed none');
    expect(doc.findings).toEqual([]);
    expect(res.code).toBe(0);

    const sarif = await runCli(['lint', 'migrations/', '--verify', cluster().primary.url, '--format', 'sarif'], { cwd: dir, timeoutMs: 120_000 });
    const run = JSON.parse(sarif.stdout).runs[0];
    expect(run.properties.verification.statements[1]).toMatchObject({ modelWasWrong: true });
  });

  it('follows a renamed relation or column in foreign keys, in the tables referencing it and in its indexes', async () => {
    const dir = project({
      'migrations/0001.sql': [
        'CREATE TABLE parent (id int PRIMARY KEY);',
        'CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent (id));',
        'CREATE TABLE parent2 (id int PRIMARY KEY);',
        'CREATE TABLE child2 (id int PRIMARY KEY, parent_id int REFERENCES parent2 (id));',
        'CREATE TABLE t3 (id int PRIMARY KEY, x int);',
        'CREATE INDEX i3 ON t3 (x);',
        '',
      ].join('\n'),
      'migrations/0002.sql': [
        'ALTER TABLE child RENAME TO kid;',
        'ALTER TABLE kid DROP COLUMN parent_id;',
        'ALTER TABLE parent2 RENAME TO mom;',
        'DROP TABLE child2;',
        'ALTER TABLE t3 RENAME TO t4;',
        'DROP INDEX i3;',
        'ALTER TABLE kid ADD COLUMN parent_id int REFERENCES parent (id);',
        'ALTER TABLE kid RENAME COLUMN parent_id TO p;',
        'ALTER TABLE kid DROP COLUMN p;',
        '',
      ].join('\n'),
    });
    const renamed = await tracedWithoutModelErrors(dir);
    expect(renamed).toHaveLength(9);
    // Dropping the column drops its foreign key, which locks the table it references.
    expect(renamed[1].predicted).toBe('AccessExclusiveLock on kid; AccessExclusiveLock on parent');
    expect(renamed[3].predicted).toBe('AccessExclusiveLock on child2; AccessExclusiveLock on mom');
    expect(renamed[5].predicted).toBe('AccessExclusiveLock on t4');
    expect(renamed[8].predicted).toBe('AccessExclusiveLock on kid; AccessExclusiveLock on parent');
  });

  it('follows a renamed constraint and a table moved to another schema, and predicts their own locks', async () => {
    const dir = project({
      'migrations/0001.sql': [
        'CREATE TABLE parent (id int PRIMARY KEY);',
        'CREATE TABLE child (id int PRIMARY KEY, parent_id int CONSTRAINT child_parent_fk REFERENCES parent (id));',
        'CREATE SCHEMA s2;',
        'CREATE TABLE c3 (id int PRIMARY KEY, parent_id int REFERENCES parent (id), v varchar(10));',
        '',
      ].join('\n'),
      'migrations/0002.sql': [
        'ALTER TABLE child RENAME CONSTRAINT child_parent_fk TO kid_parent_fk;',
        'ALTER TABLE child DROP CONSTRAINT kid_parent_fk;',
        'ALTER TABLE c3 SET SCHEMA s2;',
        'ALTER TABLE s2.c3 DROP COLUMN parent_id;',
        'ALTER TABLE s2.c3 ALTER COLUMN v TYPE varchar(20);',
        '',
      ].join('\n'),
    });
    const moved = await tracedWithoutModelErrors(dir);
    expect(moved).toHaveLength(5);
    expect(moved.map((s) => s.predicted)).toEqual([
      'AccessExclusiveLock on child',
      'AccessExclusiveLock on child; AccessExclusiveLock on parent',
      'AccessExclusiveLock on c3',
      'AccessExclusiveLock on s2.c3; AccessExclusiveLock on parent',
      // The column's type is still known after the move: widening a varchar rewrites nothing.
      'AccessExclusiveLock on s2.c3',
    ]);
  });

  it('follows ALTER TABLE on a parent into its partitions and inheritance children', async () => {
    const dir = project({
      'migrations/0001.sql': [
        'CREATE TABLE ref (id int PRIMARY KEY);',
        'CREATE TABLE part (id int, created date NOT NULL, v varchar(10), r int) PARTITION BY RANGE (created);',
        "CREATE TABLE part_2024 PARTITION OF part FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');",
        'CREATE TABLE part_2025 (id int, created date NOT NULL, v varchar(10), r int);',
        "ALTER TABLE part ATTACH PARTITION part_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');",
        'CREATE TABLE inh_parent (id int, v int);',
        'CREATE TABLE inh_child () INHERITS (inh_parent);',
        'CREATE MATERIALIZED VIEW mv AS SELECT id FROM ref;',
        '',
      ].join('\n'),
      'migrations/0002.sql': [
        'ALTER TABLE part ADD COLUMN w int DEFAULT 1;',
        'ALTER TABLE part ALTER COLUMN id TYPE bigint;',
        'ALTER TABLE part ALTER COLUMN v TYPE varchar(20);',
        'ALTER TABLE part ADD CONSTRAINT part_r_fk FOREIGN KEY (r) REFERENCES ref (id);',
        'ALTER TABLE part ADD PRIMARY KEY (id, created);',
        'ALTER TABLE part DETACH PARTITION part_2025;',
        'ALTER TABLE part ADD COLUMN z int;',
        'ALTER TABLE inh_parent ALTER COLUMN v TYPE bigint;',
        'ALTER TABLE inh_child NO INHERIT inh_parent;',
        'ALTER TABLE inh_parent ADD COLUMN z int;',
        'ALTER MATERIALIZED VIEW mv RENAME TO mv2;',
        'REFRESH MATERIALIZED VIEW mv2;',
        '',
      ].join('\n'),
    });
    const traced = await tracedWithoutModelErrors(dir);
    expect(traced).toHaveLength(12);
    expect(traced.map((s) => s.predicted)).toEqual([
      'AccessExclusiveLock on part; AccessExclusiveLock on part_2024; AccessExclusiveLock on part_2025',
      // A partitioned table has no storage: the partitions are rewritten.
      'AccessExclusiveLock on part; AccessExclusiveLock on part_2024, rewrite, full scan; AccessExclusiveLock on part_2025, rewrite, full scan',
      'AccessExclusiveLock on part; AccessExclusiveLock on part_2024; AccessExclusiveLock on part_2025',
      'ShareRowExclusiveLock on part; ShareRowExclusiveLock on ref, full scan; ShareRowExclusiveLock on part_2024, full scan; ShareRowExclusiveLock on part_2025, full scan',
      // id is not yet NOT NULL in the partitions: each is locked ACCESS EXCLUSIVE to set it, then indexed.
      'AccessExclusiveLock on part; AccessExclusiveLock on part_2024, full scan, index build; AccessExclusiveLock on part_2025, full scan, index build',
      'AccessExclusiveLock on part; AccessExclusiveLock on part_2025; ShareRowExclusiveLock on ref',
      // Detached: no longer reached.
      'AccessExclusiveLock on part; AccessExclusiveLock on part_2024',
      'AccessExclusiveLock on inh_parent, rewrite, full scan; AccessExclusiveLock on inh_child, rewrite, full scan',
      'AccessExclusiveLock on inh_child; AccessShareLock on inh_parent',
      'AccessExclusiveLock on inh_parent',
      'AccessExclusiveLock on mv',
      'AccessExclusiveLock on mv2, rewrite; AccessShareLock on ref, full scan',
    ]);
  });

  it('follows index builds, triggers, locks, writes, TRUNCATE, ANALYZE and DROPs into partitions and children', async () => {
    const dir = project({
      'migrations/0001.sql': [
        'CREATE TABLE part (id int NOT NULL, created date NOT NULL, v int) PARTITION BY RANGE (created);',
        "CREATE TABLE part_2024 PARTITION OF part FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');",
        "CREATE TABLE part_2025 PARTITION OF part FOR VALUES FROM ('2025-01-01') TO ('2026-01-01') PARTITION BY LIST (v);",
        'CREATE TABLE part_2025_a PARTITION OF part_2025 FOR VALUES IN (1);',
        'CREATE TABLE inh_parent (id int, v int);',
        'CREATE TABLE inh_child () INHERITS (inh_parent);',
        '',
      ].join('\n'),
      'migrations/0002.sql': [
        'CREATE INDEX part_v ON part (v);',
        'CREATE TRIGGER part_trg AFTER INSERT ON part FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();',
        'LOCK TABLE part IN SHARE MODE;',
        'UPDATE part SET v = v;',
        'TRUNCATE part;',
        'ANALYZE part;',
        'LOCK TABLE inh_parent IN ACCESS EXCLUSIVE MODE;',
        'DELETE FROM inh_parent;',
        'TRUNCATE inh_parent;',
        'DROP INDEX part_v;',
        'DROP TABLE part;',
        'DROP TABLE inh_parent CASCADE;',
        '',
      ].join('\n'),
    });
    const traced = await tracedWithoutModelErrors(dir);
    expect(traced).toHaveLength(12);
    // Only the leaf partitions have storage: the index is built there, under SHARE.
    expect(traced[0].predicted).toBe('ShareLock on part; ShareLock on part_2024, full scan, index build; ShareLock on part_2025; ShareLock on part_2025_a, full scan, index build');
    expect(traced[10].predicted).toBe('AccessExclusiveLock on part; AccessExclusiveLock on part_2024; AccessExclusiveLock on part_2025; AccessExclusiveLock on part_2025_a');
    expect(traced[11].predicted).toBe('AccessExclusiveLock on inh_parent; AccessExclusiveLock on inh_child');
  });

  it('knows an index renamed by ADD CONSTRAINT … USING INDEX, that validating a valid constraint checks nothing, and what DROP … CASCADE drops', async () => {
    const dir = project({
      'migrations/0001.sql': 'CREATE TABLE t (id int PRIMARY KEY, v text);\nCREATE TABLE u (id int PRIMARY KEY, t_id int);\n',
      'migrations/0002.sql': [
        'CREATE UNIQUE INDEX CONCURRENTLY t_v ON t (v);',
        'ALTER TABLE t ADD CONSTRAINT t_v_key UNIQUE USING INDEX t_v;',
        'REINDEX INDEX CONCURRENTLY t_v_key;',
        'ALTER TABLE u ADD CONSTRAINT u_t_fk FOREIGN KEY (t_id) REFERENCES t (id) NOT VALID;',
        'ALTER TABLE u VALIDATE CONSTRAINT u_t_fk;',
        'ALTER TABLE u VALIDATE CONSTRAINT u_t_fk;',
        'CREATE VIEW tv AS SELECT id FROM t;',
        'CREATE MATERIALIZED VIEW tmv AS SELECT id FROM tv;',
        'DROP TABLE t CASCADE;',
        '',
      ].join('\n'),
    });
    const traced = await tracedWithoutModelErrors(dir);
    expect(traced).toHaveLength(9);
    // CASCADE drops the views reading the table, and the materialized view reading that view.
    expect(traced[8].predicted).toContain('AccessExclusiveLock on tmv');
    expect(traced[2].predicted).toBe('ShareUpdateExclusiveLock on t, full scan, index build');
    expect(traced[4].predicted).toBe('ShareUpdateExclusiveLock on u, full scan; RowShareLock on t, full scan');
    expect(traced[5].predicted).toBe('ShareUpdateExclusiveLock on u');
  });

  it('shows the server error of a statement that fails on the scratch database, and goes on', async () => {
    const dir = project({ 'migrations/0001.sql': `${SCHEMA}ALTER TABLE nowhere ADD COLUMN x int;\nCREATE INDEX users_name ON users (name);\n` });
    const { statements } = await lintJson(dir, cluster().primary.url);
    expect(statements[1]).toMatchObject({ error: { code: '42P01', message: 'relation "nowhere" does not exist' }, observed: expect.stringContaining('42P01') });
    expect(statements[2]).toMatchObject({ error: null, observed: expect.stringContaining('index build') });
    const pretty = await runCli(['lint', 'migrations/', '--verify', cluster().primary.url], { cwd: dir, timeoutMs: 120_000 });
    expect(pretty.stdout).toContain('server error');
    expect(pretty.stdout).toContain('relation "nowhere" does not exist');
  });

  it('traces a statement that refuses a transaction block on its own', async () => {
    const dir = project({ 'migrations/0001.sql': `${SCHEMA}CREATE INDEX CONCURRENTLY users_email ON users (email);\nVACUUM users;\n` });
    const { statements } = await lintJson(dir, cluster().primary.url);
    expect(statements[1]).toMatchObject({ traced: 'alone', error: null, modelWasWrong: false, observed: 'users, full scan, index build' });
    // VACUUM reads pages without a sequential scan: the counter cannot confirm the claim, so it is no mismatch.
    expect(statements[2]).toMatchObject({ traced: 'alone', error: null, modelWasWrong: false });
  });

  it('refuses without CREATEDB, touching nothing', async () => {
    await cluster().psql(cluster().primary, "DROP ROLE IF EXISTS no_createdb; CREATE ROLE no_createdb LOGIN PASSWORD 'pw'");
    const dir = project({ 'migrations/0001.sql': SCHEMA });
    const res = await runCli(['lint', 'migrations/', '--verify', cluster().urlFor(cluster().primary, { user: 'no_createdb', password: 'pw' })], { cwd: dir });
    expect(res.stderr.trim()).toMatch(/^error: --verify cannot create a scratch database on .*permission denied to create database — give the role CREATEDB/);
    expect(res.stderr).not.toContain('pw@');
    expect(res.code).toBe(3);
  });

  it('drops the scratch database on Ctrl-C (SIGINT)', async () => {
    const dir = project({ 'migrations/0001.sql': `${SCHEMA}SELECT pg_sleep(60);\n` });
    const child = spawn(process.execPath, [DBOPS_BIN, 'lint', 'migrations/', '--verify', cluster().primary.url], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const admin = new Client({ connectionString: cluster().primary.url });
    await admin.connect();
    try {
      // Wait until the statement runs on the scratch database.
      for (let i = 0; i < 600; i++) {
        const { rows } = await admin.query("SELECT 1 FROM pg_stat_activity WHERE datname LIKE 'dbops\\_verify\\_%' AND query LIKE '%pg_sleep(60)%'");
        if (rows.length) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await scratchDatabases()).length).toBe(1);
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      expect(stderr).toContain('dropping the scratch database');
      expect(await scratchDatabases()).toEqual([]);
    } finally {
      await admin.end();
      child.kill('SIGKILL');
    }
  });

  it('--verify local starts its own PostgreSQL and stops it', async () => {
    const dir = project({ 'migrations/0001.sql': `${SCHEMA}SET TIME ZONE 'UTC';\nALTER TABLE users ALTER COLUMN created TYPE timestamptz;\n` });
    const { res, doc, statements } = await lintJson(dir, 'local');
    expect(res.stderr).toBe('');
    expect(doc.verification.scratch).toBe('a local PostgreSQL started for this run');
    expect(statements[2]).toMatchObject({ modelWasWrong: false, observed: 'AccessExclusiveLock on users' });
    expect(res.code).toBe(0);
  });
});
