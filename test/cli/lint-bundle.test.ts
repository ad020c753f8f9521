import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, runCli } from '../harness/cli';
import { useTempTrees } from '../harness/temp-tree';

/**
 * `dbops lint` runs from dist/bundle/lint.js (scripts/bundle-lint.js, part of `npm run build`).
 * These check that bin/run.js really uses it, that it prints exactly what the modules under
 * dist/src print, and that a bundle left behind by a later `tsc` is not used.
 */
const DIST = path.join(REPO_ROOT, 'dist');
const LOADER = path.join(DIST, 'src', 'cli', 'lint-bundle.js');
const MAIN = path.join(DIST, 'src', 'cli', 'main.js');

/** Runs `dbops <args>` through the modules under dist/src, never the bundle. */
function runUnbundled(args: string[], cwd: string, input = '') {
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(MAIN)}).main(process.argv.slice(1))`, ...args], {
    cwd,
    input,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', DBOPS_DEBUG: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the bundled lint fast path', () => {
  const make = useTempTrees('dbops-lint-bundle-');

  beforeAll(() => {
    const r = spawnSync(process.execPath, ['-e', `process.stdout.write(typeof require(${JSON.stringify(LOADER)}).loadLintBundle())`], { encoding: 'utf8' });
    if (r.stdout !== 'object') throw new Error('dist/bundle/lint.js is missing or older than the last tsc: run `npm run build` first');
  });

  it('is what bin/run.js loads for a plain lint: none of the lint modules under dist/src', async () => {
    const root = make({
      'm/0001_index.sql': 'CREATE INDEX orders_created_idx ON orders (created_at);\n',
      // Prints, at exit, every module file Node compiled through require().
      'loaded.js': "const M = require('module'); const seen = []; const c = M.prototype._compile; M.prototype._compile = function (s, f) { seen.push(f); return c.apply(this, arguments); }; process.on('exit', () => process.stderr.write(JSON.stringify(seen)));",
    });
    const r = await runCli(['lint', 'm'], { cwd: root, env: { NODE_OPTIONS: `--require ${path.join(root, 'loaded.js')}` } });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('creating-index-non-concurrently');
    const loaded = (JSON.parse(r.stderr) as string[]).map((f) => path.relative(REPO_ROOT, f));
    expect(loaded).toContain(path.join('dist', 'src', 'cli', 'lint-bundle.js'));
    expect(loaded.filter((f) => f.startsWith(path.join('dist', 'src', 'lint')) && !f.endsWith('parser-prefetch.js') && !f.endsWith('code-bundle.js'))).toEqual([]);
    expect(loaded.filter((f) => f.startsWith(path.join('dist', 'rules')))).toEqual([]);
  });

  it('prints byte for byte what the unbundled modules print, for every format, errors and stdin', async () => {
    const root = make({
      'm/0001_table.sql': "SET lock_timeout = '2s';\nCREATE TABLE accounts (id bigint PRIMARY KEY, email text);\n",
      'm/0002_unsafe.sql': 'ALTER TABLE accounts ALTER COLUMN email SET NOT NULL;\nCREATE INDEX accounts_email ON accounts (email);\nSELEC broken;\n',
      'dbops.config.json': JSON.stringify({ lint: { rules: { 'lock-timeout': 'warning' } } }),
    });
    const invocations = [
      ['lint', 'm'],
      ...['json', 'sarif', 'github', 'gitlab', 'markdown'].map((f) => ['lint', 'm', '--format', f]),
      ['lint', 'm', '--rule', 'setting-not-null=off', '--pg-version', '11'],
      ['lint', 'missing.sql'],
      ['lint', '--list-rules'],
      ['lint', '--explain', 'setting-not-null'],
      ['lint', '-'],
    ];
    for (const args of invocations) {
      const input = args.includes('-') ? 'DROP TABLE accounts;\n' : '';
      const bundled = await runCli(args, { cwd: root, input });
      expect({ args, ...runUnbundled(args, root, input) }).toEqual({ args, ...bundled });
    }
  });

  it('compiles from its code cache (made with the parser flag the loader sets first)', () => {
    const r = spawnSync(process.execPath, ['-e', `process.stdout.write(String(require(${JSON.stringify(LOADER)}).loadLintBundle().cacheAccepted))`], { encoding: 'utf8' });
    expect(r.stdout).toBe('true');
  });

  it('is not used once tsc has rebuilt dist/src after it', () => {
    const root = make({ 'tsconfig.tsbuildinfo': '{}' });
    const buildInfo = path.join(root, 'tsconfig.tsbuildinfo');
    const bundle = path.join(root, 'bundle', 'lint.js');
    const builtFrom = String(fs.statSync(buildInfo).mtimeMs);
    fs.mkdirSync(path.dirname(bundle));
    fs.writeFileSync(bundle, fs.readFileSync(path.join(DIST, 'bundle', 'lint.js'), 'utf8').replace(/^(\/\/ dbops lint bundle \S+ of tsc output )\S+/, `$1${builtFrom}`));
    const load = (info: string) =>
      spawnSync(process.execPath, ['-e', `process.stdout.write(typeof require(${JSON.stringify(LOADER)}).loadLintBundle(process.argv[1], process.argv[2])?.lintMain)`, bundle, info], { encoding: 'utf8' }).stdout;
    expect(load(buildInfo)).toBe('function');
    // An installed package has no build info: its bundle is used.
    expect(load(path.join(root, 'none'))).toBe('function');
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(buildInfo, later, later);
    expect(load(buildInfo)).toBe('undefined');
  });

  it('has a worker bundle the worker thread loads from its code cache, linting what the modules lint', async () => {
    // The worker thread's entry, as parallel.ts starts it; it tells which worker ran and whether V8 took the cache.
    const probe = `
      const { Worker } = require('node:worker_threads');
      const b = require(${JSON.stringify(path.join(DIST, 'src', 'lint', 'code-bundle.js'))});
      new Worker('const b = require(' + JSON.stringify(${JSON.stringify(path.join(DIST, 'src', 'lint', 'code-bundle.js'))}) + '); const w = b.loadBundle(b.WORKER_BUNDLE); require("node:worker_threads").parentPort.postMessage([typeof w.exports.runWorker, w.cacheAccepted]);', { eval: true })
        .on('message', (m) => { process.stdout.write(JSON.stringify(m)); process.exit(0); });`;
    const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
    expect(JSON.parse(r.stdout)).toEqual(['function', true]);
    // The two-thread run (whose worker is that bundle) prints what the unbundled one-thread run prints.
    const root = make({
      'm/0001_table.sql': "SET lock_timeout = '2s';\nCREATE TABLE accounts (id bigint PRIMARY KEY, email text);\n",
      'm/0002_unsafe.sql': 'ALTER TABLE accounts ALTER COLUMN email SET NOT NULL;\nCREATE INDEX accounts_email ON accounts (email);\n',
      'm/0003_more.sql': 'ALTER TABLE accounts ADD COLUMN plan text NOT NULL DEFAULT 1;\nALTER TABLE orders ALTER COLUMN total TYPE bigint;\n',
    });
    const threaded = await runCli(['lint', 'm', '--format', 'json'], { cwd: root, env: { DBOPS_LINT_THREADS: 'test' } });
    const unbundled = runUnbundled(['lint', 'm', '--format', 'json'], root);
    expect(threaded.stdout).toBe(unbundled.stdout);
    expect(threaded.code).toBe(unbundled.code);
  });
});
