import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { TOP_LEVEL_KEYS } from '../../src/config/schema';
import { DBOPS_BIN, REPO_ROOT } from '../harness/cli';
import { useCluster } from '../harness/cluster';
import { commandsOf, docPages, snippetsOf, type Snippet } from './snippets';

/**
 * Every shell snippet (```sh) in README.md and docs/ runs here exactly as written, and every JSON
 * snippet is valid JSON and, unless listed below, a dbops.config.json that `dbops config show`
 * accepts. Shell snippets run against the cluster this file starts, with the variables
 * `scripts/dev-cluster.js` prints ($PRIMARY, $STANDBY, $CASCADE, $PGBOUNCER_ADMIN, $DATABASE_URL),
 * in a fresh project directory (see project()). How to add a snippet: docs/testing.md.
 */

/**
 * What cannot run in a test, each with why; never skipped silently: an entry that matches
 * nothing fails the test. `match` is a piece of one logical command (that command is not run),
 * or of a whole snippet with `whole: true`; for a JSON snippet, it is not a config (it is still
 * parsed).
 */
const NOT_RUN: Array<{ file: string; match: string; whole?: boolean; reason: string }> = [
  { file: 'README.md', match: 'npm install', reason: 'installs packages into the checkout; `npx dbops lint` itself runs in the other README snippets' },
  { file: 'README.md', match: 'npm test', reason: 'the test suite itself' },
  { file: 'README.md', match: 'node scripts/dev-cluster.js', reason: 'starts the cluster this test starts itself, and runs until Ctrl-C' },
  { file: 'docs/benchmarks.md', match: 'node bench/', whole: true, reason: 'benchmarks run for minutes and print figures; they are not checks' },
  { file: 'docs/benchmarks.md', match: 'node scripts/dev-cluster.js', whole: true, reason: 'starts a cluster and runs until Ctrl-C; the timed commands need it' },
  { file: 'docs/benchmarks.md', match: '--replica hang1=', whole: true, reason: 'a measurement that needs a listener that never answers on port 45999 (unreachable nodes are tested in test/reports/)' },
  { file: 'docs/testing.md', match: 'UPDATE_GOLDEN=1', whole: true, reason: 'rewrites the golden files of the checkout' },
  { file: 'docs/commands/report-connections.md', match: '--watch 2s', reason: 'redraws until Ctrl-C (--watch is tested in test/reports/)' },
  { file: 'docs/commands/sessions-idle.md', match: '# asks first', reason: 'asks for confirmation on a terminal (without one, --terminate needs --yes: test/sessions/)' },
  { file: 'docs/commands/lint.md', match: '"schemaVersion": 1', whole: true, reason: 'an example of `dbops lint --format json` output, not a config' },
  { file: 'docs/commands/migrate.md', match: '"waitedForRunner"', whole: true, reason: 'an example of `dbops migrate --format json` output, not a config' },
  { file: 'docs/commands/stats-snapshot.md', match: '"takenAt"', whole: true, reason: 'an example of a stats snapshot (`dbops stats snapshot` output), not a config' },
];

const SHELL = new Set(['sh', 'bash', 'shell']);
/** A snippet of several reports with a sampling interval takes most of a minute on a loaded 2-core machine. */
const SNIPPET_TIMEOUT_MS = 200_000;
/** Signs of a command that did not run as the page says, whatever its exit code (a report's usage error exits 3, like UNKNOWN). */
const FAILURE_LINE = /^(error: .*|.*command not found.*|.*Nonexistent flag.*|.*Unexpected argument.*|.*No such file or directory.*)$/m;

const snippets = docPages(REPO_ROOT).flatMap((file) => snippetsOf(REPO_ROOT, file));
const where = (s: Snippet, line = s.line) => `${s.file}:${line}`;
const notRun = (s: Snippet, text: string, whole: boolean) => NOT_RUN.find((e) => e.file === s.file && !!e.whole === whole && text.includes(e.match));

describe('documentation snippets', () => {
  const pg = useCluster({ standbys: true, pgbouncer: true, settings: { shared_preload_libraries: 'pg_stat_statements' } });
  const roots: string[] = [];
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const c = pg();
    // What the pages' examples work on: orders to backfill, roles and a database for timeouts.
    await c.psql(c.primary, 'CREATE EXTENSION pg_stat_statements');
    await c.psql(c.primary, 'CREATE ROLE app LOGIN; CREATE ROLE reporting LOGIN; CREATE ROLE etl LOGIN');
    await c.psql(c.primary, 'CREATE DATABASE analytics');
    await c.psql(
      c.primary,
      'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, price_cents int NOT NULL, qty int NOT NULL, total_cents int);' +
        'INSERT INTO orders SELECT g, g % 100, g % 1000, 1 + g % 5 FROM generate_series(1, 5000) g;' +
        'SELECT o.id FROM orders o JOIN orders o2 ON o2.id = o.id WHERE o.id = 1',
    );
    env = { ...process.env, NO_COLOR: '1', DBOPS_DEBUG: '' };
    for (const name of Object.keys(env)) if (/^PG|^DATABASE_URL$/.test(name)) delete env[name];
    Object.assign(env, {
      DATABASE_URL: c.primary.url,
      PRIMARY: c.primary.url,
      STANDBY: c.standby!.url,
      CASCADE: c.cascade!.url,
      PGBOUNCER_ADMIN: c.pgbouncer!.adminUrl,
      DBOPS_BIN,
    });
  });
  afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

  /** A project as the pages assume one: migrations, captured SQL, a server log, a git history with origin/main. */
  const project = (): string => {
    const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-docs-')));
    roots.push(root);
    fs.symlinkSync(path.join(REPO_ROOT, 'examples'), path.join(root, 'examples'));
    // The README lints the Knex fixture project as a user would lint theirs (Knex from the checkout's node_modules).
    fs.mkdirSync(path.join(root, 'test/fixtures'), { recursive: true });
    fs.symlinkSync(path.join(REPO_ROOT, 'test/fixtures/orm'), path.join(root, 'test/fixtures/orm'));
    fs.cpSync(path.join(REPO_ROOT, 'examples/migrations'), path.join(root, 'db/migrations'), { recursive: true });
    const files: Record<string, string | Buffer> = {
      'migrations/0001_create_accounts.sql': 'CREATE TABLE IF NOT EXISTS accounts (id bigint PRIMARY KEY, email text);\n',
      'captured-sql/checkout.sql': 'SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id;\n',
      'postgresql-15-main.log.1.gz': zlib.gzipSync('2026-11-23 12:00:00 UTC [123] LOG:  duration: 1.5 ms  statement: SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id\n'),
    };
    for (const [name, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
      fs.writeFileSync(path.join(root, name), content);
    }
    fs.mkdirSync(path.join(root, 'textfile'));
    const git = (...args: string[]) => spawnSync('git', ['-c', 'user.name=docs', '-c', 'user.email=docs@example.com', ...args], { cwd: root });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'migrations');
    git('update-ref', 'refs/remotes/origin/main', 'HEAD');
    return root;
  };

  /** Runs a shell snippet's commands in one bash, in a fresh project; returns what went wrong (nothing: []). */
  const runShell = (s: Snippet, extraEnv: NodeJS.ProcessEnv = {}): { problems: string[]; root: string } => {
    const root = project();
    const rcFile = path.join(root, '.snippet-exit-codes');
    // `npx dbops` runs this checkout's bin (as npx would after `npm install`), and nothing else.
    const lines = ['npx() { if [ "$1" = dbops ]; then shift; node "$DBOPS_BIN" "$@"; else echo "npx $1: doc snippets may run only npx dbops" >&2; return 127; fi; }', 'export -f npx'];
    const ran = commandsOf(s).filter((c) => !notRun(s, c.text, false));
    for (const c of ran) lines.push(c.text, `echo $? >> "${rcFile}"`);
    const r = spawnSync('bash', ['-c', lines.join('\n')], { cwd: root, env: { ...env, TEXTFILE_DIR: path.join(root, 'textfile'), ...extraEnv }, encoding: 'utf8', timeout: SNIPPET_TIMEOUT_MS });
    const codes = fs.existsSync(rcFile) ? fs.readFileSync(rcFile, 'utf8').trim().split('\n').map(Number) : [];
    const problems = ran.flatMap((c, i) =>
      s.exitCodes.includes(codes[i]) ? [] : [`${where(s, c.line)}: \`${c.text}\` exited ${codes[i] ?? `never (${r.signal ?? r.status})`}; the page promises ${s.exitCodes.join(' or ')}`],
    );
    const failure = FAILURE_LINE.exec(r.stderr);
    if (failure) problems.push(`${where(s)}: stderr says: ${failure[0]}\n${r.stderr}`);
    return { problems, root };
  };

  // A snippet whose every command is in NOT_RUN (`npm test`) has nothing left to run.
  const shell = snippets.filter((s) => SHELL.has(s.lang) && !notRun(s, s.text, true) && commandsOf(s).some((c) => !notRun(s, c.text, false)));
  it.each(shell.map((s) => [where(s), s] as const))('%s runs as written', (_where, s) => {
    expect(runShell(s).problems).toEqual([]);
  }, SNIPPET_TIMEOUT_MS + 30_000);

  const json = snippets.filter((s) => s.lang === 'json');
  it.each(json.map((s) => [where(s), s] as const))('%s is valid JSON; a config snippet is a config dbops accepts', (_where, s) => {
    const value = JSON.parse(s.text);
    if (notRun(s, s.text, true)) return;
    const unknown = Object.keys(value).filter((k) => !(TOP_LEVEL_KEYS as readonly string[]).includes(k));
    expect({ where: where(s), keysThatAreNotConfigKeys: unknown }).toEqual({ where: where(s), keysThatAreNotConfigKeys: [] });
    const root = project();
    fs.writeFileSync(path.join(root, 'dbops.config.json'), s.text);
    const r = spawnSync(process.execPath, [DBOPS_BIN, 'config', 'show'], { cwd: root, env, encoding: 'utf8' });
    expect({ where: where(s), code: r.status, stderr: r.stderr }).toEqual({ where: where(s), code: 0, stderr: '' });
  });

  it('no page shows a bare `dbops` command: it is not on PATH after npm install (use npx dbops)', () => {
    const bare = snippets
      .filter((s) => !['json', 'sql', 'yaml', 'js', 'ts'].includes(s.lang))
      .flatMap((s) => s.text.split('\n').map((l, i) => ({ l, at: where(s, s.line + 1 + i) })))
      .filter(({ l }) => /(^\s*(\$\s+)?|[|&;]\s*)dbops\s+[a-z-]+(\s|$)/.test(l))
      .map(({ l, at }) => `${at}: ${l.trim()}`);
    expect(bare).toEqual([]);
  });

  it('every NOT_RUN entry matches a snippet (a stale entry would hide nothing and mislead)', () => {
    const used = NOT_RUN.filter((e) =>
      snippets.some((s) => s.file === e.file && (e.whole ? s.text.includes(e.match) : SHELL.has(s.lang) && commandsOf(s).some((c) => c.text.includes(e.match)))),
    );
    expect(used).toEqual(NOT_RUN);
  });

  it('the checker fails a snippet with a flag dbops does not have, a bare dbops, or an exit code the page does not promise', () => {
    const fake = (text: string, exitCodes = [0]): Snippet => ({ file: 'docs/fake.md', line: 1, lang: 'sh', text, exitCodes });
    expect(runShell(fake('npx dbops lint examples/migrations --no-such-flag', [0, 1])).problems.join('\n')).toMatch(/exited 2.*\n?.*Nonexistent flag/s);
    expect(runShell(fake('npx dbops report lag --primary "$PRIMARY" --no-such-flag', [0, 1, 2, 3])).problems.join('\n')).toMatch(/stderr says: error: Nonexistent flag: --no-such-flag/);
    expect(runShell(fake('dbops lint examples/migrations', [0, 1])).problems.join('\n')).toMatch(/exited 127/);
    expect(runShell(fake('npx dbops lint examples/migrations')).problems.join('\n')).toMatch(/exited 1; the page promises 0/);
    expect(runShell(fake('npx dbops lint examples/migrations', [1])).problems).toEqual([]);
  });

  it('the Prometheus recipe writes its file while a standby lags or the report warns (exit 1/2 are not failures there)', () => {
    const recipe = shell.find((s) => s.file === 'docs/commands/report-lag.md' && s.text.includes('--format prometheus'));
    expect(recipe).toBeDefined();
    // Given a standby as the primary, the report is WARNING (exit 1): the file must be written all the same.
    const { problems, root } = runShell(recipe!, { DATABASE_URL: env.STANDBY });
    expect(problems).toEqual([]);
    const written = fs.readFileSync(path.join(root, 'textfile', 'dbops_lag.prom'), 'utf8');
    expect(written).toMatch(/^dbops_report_status\{report="lag"\} 1$/m);
    expect(fs.readdirSync(path.join(root, 'textfile'))).toEqual(['dbops_lag.prom']);
  });
});
