import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DBOPS_BIN, runCli } from '../harness/cli';
import { useTempTrees } from '../harness/temp-tree';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** End to end through the built CLI (npx tsc -p tsconfig.json first), as a user runs it. */

const SAFE = "SET lock_timeout = '2s';\nCREATE TABLE accounts (id bigint PRIMARY KEY, email varchar(50));\nALTER TABLE accounts ALTER COLUMN email TYPE varchar(100);\n";
const UNSAFE_INDEX = "SET lock_timeout = '2s';\nCREATE INDEX orders_created_idx ON orders (created_at);\n";

const json = (stdout: string) => JSON.parse(stdout);
const ruleIds = (doc: any) => doc.findings.map((f: any) => `${f.file}:${f.line} ${f.ruleId}`);

describe('dbops lint (CLI)', () => {
  const make = useTempTrees('dbops-lint-cli-');

  it('exit 0 with nothing at error level, 1 with error-level findings', async () => {
    const root = make({ 'm/0001_safe.sql': SAFE, 'n/0001_index.sql': UNSAFE_INDEX });
    const ok = await runCli(['lint', 'm'], { cwd: root });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^✔ no problems \(1 file, 3 statements checked for PostgreSQL 15\)\n$/);
    const bad = await runCli(['lint', 'n'], { cwd: root });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^n\/0001_index\.sql:2:1 {2}error {2}creating-index-non-concurrently\n/);
    expect(bad.stdout).toMatch(/> 2 \| CREATE INDEX orders_created_idx ON orders \(created_at\);/);
    expect(bad.stdout).toMatch(/CREATE INDEX CONCURRENTLY/);
    expect(bad.stdout).not.toMatch(/\u001b\[/);
    const forced = await runCli(['lint', 'n'], { cwd: root, env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(forced.stdout).toMatch(/\u001b\[31m\u001b\[1merror/);
  });

  it('lints a directory in migration order (2 before 10), so a table created earlier counts as new', async () => {
    const root = make({
      'db/10_index_widgets.sql': "SET lock_timeout = '2s';\nCREATE INDEX widgets_name_idx ON widgets (name);\n",
      'db/2_create_widgets.sql': 'CREATE TABLE widgets (id bigint PRIMARY KEY, name text);\n',
      'db/3_index_orders.sql': UNSAFE_INDEX,
    });
    const r = await runCli(['lint', 'db', '--format', 'json'], { cwd: root });
    const doc = json(r.stdout);
    expect(doc.files.map((f: any) => f.path)).toEqual(['db/2_create_widgets.sql', 'db/3_index_orders.sql', 'db/10_index_widgets.sql']);
    expect(ruleIds(doc)).toEqual(['db/3_index_orders.sql:2 creating-index-non-concurrently']);
    expect(r.code).toBe(1);
  });

  it('expands globs and reads - from standard input', async () => {
    const root = make({ 'a/1_x.sql': UNSAFE_INDEX, 'a/1_x.down.sql': 'DROP INDEX orders_created_idx;', 'b/2_y.sql': SAFE });
    const globbed = json((await runCli(['lint', '**/*.sql', '-f', 'json'], { cwd: root })).stdout);
    expect(globbed.files.map((f: any) => f.path)).toEqual(['a/1_x.sql', 'b/2_y.sql']);
    const stdin = await runCli(['lint', '-', '--format', 'json'], { cwd: root, input: UNSAFE_INDEX });
    expect(stdin.code).toBe(1);
    expect(ruleIds(json(stdin.stdout))).toEqual(['<stdin>:2 creating-index-non-concurrently']);
  });

  it('--since lints only migrations changed since the ref, and rejects a bad ref', async () => {
    const root = make({ 'db/0001_old.sql': UNSAFE_INDEX });
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd: root });
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-q', '-m', 'old');
    fs.writeFileSync(path.join(root, 'db/0002_new.sql'), "SET lock_timeout = '2s';\nALTER TABLE orders ALTER COLUMN note SET NOT NULL;\n");
    const r = await runCli(['lint', 'db', '--since', 'main', '--format', 'json'], { cwd: root });
    expect(json(r.stdout).files.map((f: any) => f.path)).toEqual(['db/0002_new.sql']);
    expect(ruleIds(json(r.stdout))).toEqual(['db/0002_new.sql:2 setting-not-null']);
    const bad = await runCli(['lint', 'db', '--since', 'nope'], { cwd: root });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: --since nope: no such commit, branch or tag in this repository — .*fetch-depth: 0\n$/);
  });

  it('--since learns from the unchanged migrations before the changed ones without reporting them', async () => {
    const root = make({ 'db/0001_widgets.sql': 'CREATE TABLE widgets (id int PRIMARY KEY, name varchar(50));\nCREATE INDEX widgets_id_idx ON widgets (id);\n' });
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd: root });
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-q', '-m', 'old');
    fs.writeFileSync(
      path.join(root, 'db/0002_widen.sql'),
      "SET lock_timeout = '2s';\nALTER TABLE widgets ALTER COLUMN name TYPE varchar(100);\nALTER TABLE widgets ALTER COLUMN id TYPE bigint;\n",
    );
    const r = await runCli(['lint', 'db', '--since', 'main', '--format', 'json'], { cwd: root });
    const doc = json(r.stdout);
    expect(doc.files.map((f: any) => f.path)).toEqual(['db/0002_widen.sql']);
    // The widening is known safe (varchar(50) → varchar(100)); int → bigint is a proven rewrite.
    expect(ruleIds(doc)).toEqual(['db/0002_widen.sql:3 changing-column-type']);
    expect(doc.findings[0].severity).toBe('error');
    // Without the history the old type is unknown: both changes get the "cannot prove" warning.
    const alone = json((await runCli(['lint', 'db/0002_widen.sql', '--format', 'json'], { cwd: root })).stdout);
    expect(ruleIds(alone)).toEqual(['db/0002_widen.sql:2 changing-column-type', 'db/0002_widen.sql:3 changing-column-type']);
  });

  it('lint.newTables "file" and lint.schemaFile from the config', async () => {
    const files = {
      'db/0001_widgets.sql': 'CREATE TABLE widgets (id int PRIMARY KEY, name text);\n',
      'db/0002_index.sql': "SET lock_timeout = '2s';\nCREATE INDEX widgets_name_idx ON widgets (name);\n",
    };
    const runTables = make(files);
    expect(ruleIds(json((await runCli(['lint', 'db', '-f', 'json'], { cwd: runTables })).stdout))).toEqual([]);
    const fileTables = make({ ...files, 'dbops.config.json': JSON.stringify({ lint: { newTables: 'file' } }) });
    expect(ruleIds(json((await runCli(['lint', 'db', '-f', 'json'], { cwd: fileTables })).stdout))).toEqual([
      'db/0002_index.sql:2 creating-index-non-concurrently',
    ]);
    const schema = make({
      'schema.sql': 'CREATE TABLE public.accounts (id integer NOT NULL, email character varying(80));\n',
      'dbops.config.json': JSON.stringify({ lint: { schemaFile: 'schema.sql' } }),
      'db/0003_widen.sql': "SET lock_timeout = '2s';\nALTER TABLE accounts ALTER COLUMN email TYPE varchar(120);\n",
    });
    const widened = await runCli(['lint', 'db', '-f', 'json'], { cwd: schema });
    expect(ruleIds(json(widened.stdout))).toEqual([]);
    const bad = make({ 'dbops.config.json': JSON.stringify({ lint: { newTables: 'always' } }), 'db/1_a.sql': 'SELECT 1;' });
    const r = await runCli(['lint', 'db'], { cwd: bad });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: .*lint\.newTables must be "run" or "file", got "always" — /);
  });

  it('reports binary files, missing paths and invalid SQL (exit 2) and still lints every other file', async () => {
    const root = make({
      'm/0001_blob.sql': Buffer.from([0x00, 0x01, 0x02]),
      'm/0002_empty.sql': '',
      'm/0003_broken.sql': "SELECT 1;\nALTER TABLE orders ADD COLUMN x int DEFALT 0;\n",
      'm/0004_index.sql': UNSAFE_INDEX,
    });
    const r = await runCli(['lint', 'm', 'missing-dir'], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^missing-dir:1:1 {2}error {2}input-error\n {2}missing-dir does not exist/m);
    expect(r.stdout).toMatch(/^m\/0001_blob\.sql:1:1 {2}error {2}input-error\n {2}m\/0001_blob\.sql is a binary file/m);
    expect(r.stdout).toMatch(/^m\/0003_broken\.sql:2:37 {2}error {2}syntax-error\n {2}syntax error at or near "DEFALT"/m);
    expect(r.stdout).toMatch(/^m\/0004_index\.sql:2:1 {2}error {2}creating-index-non-concurrently/m);
    const doc = json((await runCli(['lint', 'm', '--format', 'json'], { cwd: root })).stdout);
    expect(doc.files.find((f: any) => f.path === 'm/0002_empty.sql')).toMatchObject({ statements: 0, linted: true, errors: 0 });
    expect(doc.summary.exitCode).toBe(2);
  });

  it('bad usage is one line and exit 2: bad --format, --pg-version, --rule, unknown rule, nothing to lint', async () => {
    const root = make({ 'm/1_a.sql': SAFE });
    const cases: Array<[string[], RegExp]> = [
      [['lint', 'm', '--format', 'xml'], /^error: Expected --format=xml to be one of: text, json, sarif, github, gitlab, markdown, pretty, table — see --help\n$/],
      [['lint', 'm', '--pg-version', '19'], /^error: --pg-version 19: expected a PostgreSQL major version from 11 to 18 — /],
      [['lint', 'm', '--rule', 'lock-timeout'], /^error: --rule lock-timeout: expected <rule-id>=<off\|warning\|error> — /],
      [['lint', 'm', '--rule', 'no-such-rule=off'], /^error: unknown lint rule "no-such-rule" — run `dbops lint --list-rules` to see the rule ids\n$/],
      [['lint'], /^error: nothing to lint: give migration files, directories or globs, or - for standard input — /],
      [['lint', '--explain', 'no-such-rule'], /^error: unknown lint rule "no-such-rule" — run `dbops lint --list-rules` to see the rule ids\n$/],
    ];
    for (const [args, stderr] of cases) {
      const r = await runCli(args, { cwd: root });
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toMatch(stderr);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('takes severities from dbops.config.json and --rule, pgVersion from config and --pg-version', async () => {
    const root = make({ 'm/1_index.sql': UNSAFE_INDEX, 'dbops.config.json': JSON.stringify({ pgVersion: 13, lint: { rules: { 'creating-index-non-concurrently': 'warning' } } }) });
    const fromConfig = await runCli(['lint', 'm', '-f', 'json'], { cwd: root });
    expect(fromConfig.code).toBe(0);
    expect(json(fromConfig.stdout)).toMatchObject({ pgVersion: 13, findings: [{ ruleId: 'creating-index-non-concurrently', severity: 'warning' }] });
    const overridden = await runCli(['lint', 'm', '-f', 'json', '--rule', 'creating-index-non-concurrently=error', '--pg-version', '16'], { cwd: root });
    expect(overridden.code).toBe(1);
    expect(json(overridden.stdout)).toMatchObject({ pgVersion: 16, findings: [{ severity: 'error' }] });
    const off = await runCli(['lint', 'm', '--rule', 'creating-index-non-concurrently=off'], { cwd: root });
    expect(off.code).toBe(0);
  });

  it('writes SARIF, GitHub annotations and GitLab code quality from real findings', async () => {
    const root = make({ 'm/1_index.sql': UNSAFE_INDEX });
    const sarif = json((await runCli(['lint', 'm', '-f', 'sarif'], { cwd: root })).stdout);
    expect(sarif.runs[0].results[0]).toMatchObject({ ruleId: 'creating-index-non-concurrently', level: 'error' });
    expect(sarif.runs[0].results[0].locations[0].physicalLocation).toMatchObject({ artifactLocation: { uri: 'm/1_index.sql' }, region: { startLine: 2, startColumn: 1 } });
    const rule = sarif.runs[0].tool.driver.rules.find((r: any) => r.id === 'creating-index-non-concurrently');
    expect(rule.properties.category).toBe('index-build');
    expect(rule.fullDescription.text).toMatch(/^`CREATE INDEX` reads the whole table/);
    expect(rule.help.markdown).toBe(fs.readFileSync(path.join(__dirname, '../../docs/rules/creating-index-non-concurrently.md'), 'utf8'));
    const github = await runCli(['lint', 'm', '-f', 'github'], { cwd: root });
    expect(github.stdout).toMatch(/^::error file=m\/1_index\.sql,line=2,col=1,endLine=2,endColumn=55,title=dbops creating-index-non-concurrently::/);
    const gitlab = json((await runCli(['lint', 'm', '-f', 'gitlab'], { cwd: root })).stdout);
    expect(gitlab[0]).toMatchObject({ check_name: 'creating-index-non-concurrently', severity: 'major', location: { path: 'm/1_index.sql', lines: { begin: 2 } } });
  });

  it('--explain prints the rule docs page', async () => {
    const explain = await runCli(['lint', '--explain', 'creating-index-non-concurrently']);
    expect(explain.code).toBe(0);
    expect(explain.stdout).toBe(fs.readFileSync(path.join(__dirname, '../../docs/rules/creating-index-non-concurrently.md'), 'utf8'));
  });

  it('--list-rules lists the rules; --help and bundled short flags go through oclif', async () => {
    const list = await runCli(['lint', '--list-rules']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^RULE +SEVERITY +CATEGORY +TITLE\n/);
    expect(list.stdout).toMatch(/^creating-index-non-concurrently +error +index-build +/m);
    // Bundled short flags are beyond the fast path: oclif parses them and the result is the same.
    const root = make({ 'm/1_index.sql': UNSAFE_INDEX });
    const viaOclif = await runCli(['lint', 'm', '-fjson'], { cwd: root });
    const viaFastPath = await runCli(['lint', 'm', '-f', 'json'], { cwd: root });
    expect(viaOclif.code).toBe(1);
    expect(viaOclif.stdout).toBe(viaFastPath.stdout);
    const help = await runCli(['lint', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--since=<value>/);
  });

  it('the README command shows real findings on the shipped examples, and none on the safe ones', async () => {
    const r = await runCli(['lint', 'examples/migrations', '--format', 'json']);
    expect(r.code).toBe(1);
    const doc = json(r.stdout);
    const found = ruleIds(doc);
    expect(found).toEqual(
      expect.arrayContaining([
        'examples/migrations/0043_bigint_keys.sql:7 changing-column-type',
        'examples/migrations/0044_index_orders_by_customer.sql:4 creating-index-non-concurrently',
        'examples/migrations/0045_require_customer_email.sql:4 setting-not-null',
        'examples/migrations/0045_require_customer_email.sql:6 constraint-without-not-valid',
        'examples/migrations/0046_rename_product_sku.sql:2 lock-timeout',
      ]),
    );
    const safe = ['0041', '0042', '0047', '0048', '0049'];
    expect(doc.findings.filter((f: any) => safe.some((n) => f.file.includes(`/${n}_`)))).toEqual([]);
    expect(doc.findings.find((f: any) => f.file.endsWith('0043_bigint_keys.sql') && f.line === 7).severity).toBe('error');
  });

  it('with no paths lints migrations.dir from the config, else ./migrations', async () => {
    const root = make({ 'db/sql/1_index.sql': UNSAFE_INDEX, 'dbops.config.json': JSON.stringify({ migrations: { dir: 'db/sql' } }), 'sub/.keep': '' });
    const fromConfig = await runCli(['lint', '-f', 'json'], { cwd: path.join(root, 'sub') });
    expect(json(fromConfig.stdout).files.map((f: any) => f.path)).toEqual([path.join(root, 'db/sql/1_index.sql')]);
    const plain = make({ 'migrations/1_index.sql': UNSAFE_INDEX });
    expect(json((await runCli(['lint', '-f', 'json'], { cwd: plain })).stdout).files.map((f: any) => f.path)).toEqual(['migrations/1_index.sql']);
  });

  it('an unreadable file is an input error (exit 2) and the other files are still linted', async () => {
    const root = make({ 'm/1_index.sql': UNSAFE_INDEX, 'm/2_secret.sql': 'SELECT 1;' });
    fs.chmodSync(path.join(root, 'm/2_secret.sql'), 0o000);
    fs.chmodSync(root, 0o755);
    // root reads anything, so as root run the CLI as nobody, like an unprivileged CI user.
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const r = spawnSync(process.execPath, [DBOPS_BIN, 'lint', 'm'], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, ...asNobody });
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/^m\/2_secret\.sql:1:1 {2}error {2}input-error\n {2}m\/2_secret\.sql cannot be read: permission denied$/m);
    expect(r.stdout).toMatch(/^m\/1_index\.sql:2:1 {2}error {2}creating-index-non-concurrently$/m);
  });

  it('lints only the up part of dbmate and goose migrations', async () => {
    const root = make({ 'db/20240101000000_users.sql': "-- migrate:up\nSET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n\n-- migrate:down\nALTER TABLE users DROP COLUMN email;\n" });
    const r = await runCli(['lint', 'db', '-f', 'json'], { cwd: root });
    expect(r.code).toBe(0);
    expect(json(r.stdout)).toMatchObject({ findings: [], summary: { statements: 2 } });
  });
});
