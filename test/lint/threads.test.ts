import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { DBOPS_BIN, runCli } from '../harness/cli';
import { useTempTrees } from '../harness/temp-tree';
import { ORACLE_CASES } from '../oracle/cases';
import { FIXTURE_SCHEMA } from '../oracle/fixture';
import { RULES } from '../../rules';
import { splitSql } from '../../src/sql/split';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * The two-thread lint (src/lint/parallel.ts) gives what the one-thread lint gives, byte for byte.
 * DBOPS_LINT_THREADS=test makes the worker lint the second half of the files, against a context
 * that lacks the first half, so each of its results is either kept (it read nothing the first
 * half wrote) or redone on the main thread; =off is the one-thread run.
 */

const SERIAL = { DBOPS_LINT_THREADS: 'off' };
const THREADED = { DBOPS_LINT_THREADS: 'test' };

/** Each statement in a file of its own, numbered in order: context must cross files for every later statement. */
function oneStatementPerFile(sql: string[], prefix: string): Record<string, string> {
  const files: Record<string, string> = {};
  let n = 0;
  for (const text of sql) {
    for (const piece of splitSql(text)) {
      const statement = text.slice(piece.start, piece.end).trim();
      if (statement !== '') files[`${prefix}/${String(++n).padStart(4, '0')}_s.sql`] = `${statement};\n`;
    }
  }
  return files;
}

const fixtureStatements = [FIXTURE_SCHEMA];
const oracleStatements = ORACLE_CASES.map((c) => c.sql);
const ruleExamples = RULES.flatMap((r) => [...r.examples.bad, ...r.examples.good]);

async function bothWays(args: string[], cwd: string) {
  const serial = await runCli(args, { cwd, env: SERIAL });
  const threaded = await runCli(args, { cwd, env: THREADED });
  return { serial, threaded };
}

describe('dbops lint on two threads', () => {
  const make = useTempTrees('dbops-lint-threads-');

  it('a table created in file 1 is still new when file 7 alters it, on the worker too', async () => {
    const root = make({
      'db/01_create_widgets.sql': 'CREATE TABLE widgets (id bigint PRIMARY KEY, name text);\n',
      'db/02_noise.sql': "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY orders_at_idx ON orders (created_at);\n",
      'db/03_noise.sql': "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN note text;\n",
      'db/04_noise.sql': "SET lock_timeout = '2s';\nALTER TABLE customers ADD COLUMN tier int;\n",
      'db/05_noise.sql': "SET lock_timeout = '2s';\nCOMMENT ON TABLE orders IS 'orders';\n",
      'db/06_noise.sql': "SET lock_timeout = '2s';\nALTER TABLE payments ADD COLUMN ref text;\n",
      'db/07_alter_widgets.sql': "SET lock_timeout = '2s';\nALTER TABLE widgets ALTER COLUMN name SET NOT NULL;\nCREATE INDEX widgets_name_idx ON widgets (name);\n",
      'db/08_orders.sql': "SET lock_timeout = '2s';\nALTER TABLE orders ALTER COLUMN note SET NOT NULL;\n",
    });
    const { serial, threaded } = await bothWays(['lint', 'db', '--format', 'json'], root);
    expect(threaded).toEqual(serial);
    const findings = JSON.parse(threaded.stdout).findings.map((f: any) => `${f.file}:${f.line} ${f.ruleId}`);
    // widgets is new (file 1): neither SET NOT NULL nor the index on it is a finding; orders is not.
    expect(findings).toEqual(['db/08_orders.sql:2 setting-not-null']);
  });

  it('the fixture schema, every oracle case and every rule example, one statement per file, give the same report', async () => {
    const root = make(oneStatementPerFile([...fixtureStatements, ...oracleStatements, ...ruleExamples], 'all'));
    for (const format of ['json', 'text']) {
      const { serial, threaded } = await bothWays(['lint', 'all', '--format', format], root);
      expect(threaded).toEqual(serial);
    }
    expect(JSON.parse((await runCli(['lint', 'all', '--format', 'json'], { cwd: root, env: THREADED })).stdout).findings.length).toBeGreaterThan(100);
  });

  it('the same, backwards, and with lint.newTables "file"', async () => {
    const files = oneStatementPerFile([...fixtureStatements, ...ruleExamples.reverse(), ...oracleStatements.reverse()], 'all');
    const root = make({ ...files, 'dbops.config.json': JSON.stringify({ lint: { newTables: 'file' } }) });
    const { serial, threaded } = await bothWays(['lint', 'all', '--format', 'json'], root);
    expect(threaded).toEqual(serial);
  });

  it('history before --since is context on the worker too', async () => {
    const root = make({
      'db/0001_create.sql': 'CREATE TABLE widgets (id bigint PRIMARY KEY, name varchar(50));\n',
      'db/0002_more.sql': 'CREATE TABLE gadgets (id bigint PRIMARY KEY);\n',
      'db/0003_alter.sql': "SET lock_timeout = '2s';\nALTER TABLE widgets ALTER COLUMN name TYPE varchar(100);\nALTER TABLE gadgets ADD COLUMN n int NOT NULL DEFAULT 0;\n",
      'db/0004_index.sql': "SET lock_timeout = '2s';\nCREATE INDEX gadgets_n_idx ON gadgets (n);\n",
    });
    const git = (...args: string[]) => spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd: root });
    git('init', '-q');
    git('add', 'db/0001_create.sql', 'db/0002_more.sql');
    git('commit', '-qm', 'history');
    const { serial, threaded } = await bothWays(['lint', 'db', '--since', 'HEAD', '--format', 'json'], root);
    expect(threaded).toEqual(serial);
    // The history made both tables existing: the index on gadgets is a finding.
    expect(JSON.parse(threaded.stdout).findings.map((f: any) => f.ruleId)).toContain('creating-index-non-concurrently');
  });

  it('a file that does not parse and one that cannot be analysed: the same findings and exit code', async () => {
    const deep = `SELECT ${'('.repeat(3000)}1${')'.repeat(3000)};\n`;
    const root = make({
      'db/1_ok.sql': 'CREATE TABLE widgets (id bigint PRIMARY KEY);\n',
      'db/0_noise.sql': "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY orders_at_idx ON orders (created_at);\n",
      'db/2_bad.sql': "SET lock_timeout = '2s';\nALTER TABLE widgets ADD COLUMN;\nALTER TABLE widgets ADD COLUMN name text;\n",
      'db/3_deep.sql': deep,
      'db/4_after.sql': "SET lock_timeout = '2s';\nCREATE INDEX widgets_name_idx ON widgets (name);\n",
    });
    for (const format of ['text', 'json']) {
      const { serial, threaded } = await bothWays(['lint', 'db', '--format', format], root);
      expect(threaded).toEqual(serial);
      expect(threaded.code).toBe(2);
    }
    expect(JSON.parse((await runCli(['lint', 'db', '-f', 'json'], { cwd: root, env: THREADED })).stdout).findings.map((f: any) => f.ruleId)).toEqual(
      expect.arrayContaining(['syntax-error']),
    );
  });

  it('an unreadable file is the same input error (exit 2) with the other files linted on the worker', async () => {
    const root = make({ 'm/1_create.sql': 'CREATE TABLE widgets (id bigint PRIMARY KEY);\n', 'm/2_secret.sql': 'SELECT 1;', 'm/3_index.sql': "SET lock_timeout = '2s';\nCREATE INDEX orders_at_idx ON orders (created_at);\n" });
    fs.chmodSync(path.join(root, 'm/2_secret.sql'), 0o000);
    fs.chmodSync(root, 0o755);
    // root reads anything, so as root run the CLI as nobody, like an unprivileged CI user.
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const run = (env: Record<string, string>) => spawnSync(process.execPath, [DBOPS_BIN, 'lint', 'm'], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, ...asNobody });
    const serial = run(SERIAL);
    const threaded = run(THREADED);
    expect([threaded.status, threaded.stdout, threaded.stderr]).toEqual([serial.status, serial.stdout, serial.stderr]);
    expect(threaded.status).toBe(2);
    expect(threaded.stdout).toMatch(/^m\/3_index\.sql:2:1 {2}error {2}creating-index-non-concurrently$/m);
  });
});
