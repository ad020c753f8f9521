import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './harness/cli';
import { useTempTrees } from './harness/temp-tree';

const run = promisify(execFile);
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/**
 * The package as a consumer gets it: `npm pack` (of the build `npm test` just made), installed
 * from the tarball into an empty project, then used through its bin and through require('dbops').
 * Installing takes its dependencies from npm's cache when it has them (--prefer-offline).
 */
describe('the packed package, installed into a fresh project', () => {
  const tree = useTempTrees('dbops-consumer-');
  let project = '';

  beforeAll(async () => {
    project = tree({
      'package.json': JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }),
      'migrations/0001_index.sql': 'CREATE INDEX orders_customer ON orders (customer_id);\n',
      'migrations-ok/0001_table.sql': 'CREATE TABLE t (id bigint PRIMARY KEY);\n',
    });
    const { stdout } = await run(NPM, ['pack', '--ignore-scripts', '--silent', '--pack-destination', project], { cwd: REPO_ROOT });
    const tarball = path.join(project, stdout.trim().split('\n').pop()!);
    await run(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--omit=dev', '--ignore-scripts', tarball], { cwd: project, timeout: 240_000 });
  }, 300_000);

  it('runs `npx dbops lint` from the installed bin', async () => {
    const failed = await run('npx', ['--no-install', 'dbops', 'lint', 'migrations'], { cwd: project, env: { ...process.env, NO_COLOR: '1' } }).catch((e) => e);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('creating-index-non-concurrently');
    const clean = await run('npx', ['--no-install', 'dbops', 'lint', 'migrations-ok'], { cwd: project, env: { ...process.env, NO_COLOR: '1' } });
    expect(clean.stdout).toContain('no problems');
  });

  it('ships the bundled lint fast path and the bundled worker with their code caches, and uses them (no build info in a package)', async () => {
    const installed = path.join(project, 'node_modules', 'dbops', 'dist');
    expect(fs.readdirSync(path.join(installed, 'bundle')).sort()).toEqual([
      expect.stringMatching(/^lint-[0-9a-f]+\.v8cache$/),
      expect.stringMatching(/^lint-worker-[0-9a-f]+\.v8cache$/),
      'lint-worker.js',
      'lint.js',
    ]);
    expect(fs.existsSync(path.join(installed, 'tsconfig.tsbuildinfo'))).toBe(false);
    const loader = path.join(installed, 'src', 'cli', 'lint-bundle.js');
    const { stdout } = await run(process.execPath, ['-e', `const b = require(${JSON.stringify(loader)}).loadLintBundle(); console.log(typeof b.lintMain, b.cacheAccepted)`], { cwd: project });
    expect(stdout.trim()).toBe('function true');
    const codeBundle = path.join(installed, 'src', 'lint', 'code-bundle.js');
    const worker = await run(process.execPath, ['-e', `const b = require(${JSON.stringify(codeBundle)}); const w = b.loadBundle(b.WORKER_BUNDLE); console.log(typeof w.exports.runWorker, w.cacheAccepted)`], { cwd: project });
    expect(worker.stdout.trim()).toBe('function true');
  });

  it("exposes the documented API through require('dbops')", async () => {
    const script = `
      const dbops = require('dbops');
      (async () => {
        const sources = [{ path: 'm.sql', text: 'CREATE INDEX i ON orders (customer_id);' }];
        const report = await dbops.lintSources(sources, { pgVersion: 15 });
        const [file] = await dbops.analyzeSources(sources, { pgVersion: 15 });
        const relation = file.statements[0].analyzed.effects.relations[0];
        console.log(JSON.stringify({
          exports: Object.keys(dbops).sort(),
          rules: report.findings.map((f) => f.ruleId).sort(),
          lock: relation.lock,
          collectors: [typeof dbops.collectLag, typeof dbops.collectConnections, typeof dbops.resolveTopology],
          usage: new dbops.UsageError('x').exitCode === dbops.EXIT.usage,
        }));
      })();`;
    const { stdout } = await run(process.execPath, ['-e', script], { cwd: project });
    const out = JSON.parse(stdout);
    expect(out.exports).toEqual(
      ['DbopsError', 'EXIT', 'UsageError', 'analyzeSources', 'collectConnections', 'collectLag', 'lintSources', 'resolveTopology', 'ruleMetas', 'unknownRuleIds', 'worstLag'].sort(),
    );
    expect(out.rules).toEqual(['creating-index-non-concurrently', 'lock-timeout']);
    expect(out.lock).toBe('ShareLock');
    expect(out.collectors).toEqual(['function', 'function', 'function']);
    expect(out.usage).toBe(true);
  });

  it('ships type declarations a TypeScript consumer compiles against', async () => {
    fs.writeFileSync(
      path.join(project, 'use.ts'),
      [
        "import { lintSources, analyzeSources, type Finding, type StatementEffects } from 'dbops';",
        "export async function errors(): Promise<Finding[]> {",
        "  const report = await lintSources([{ path: 'a.sql', text: 'SELECT 1' }], { pgVersion: 15, maxLockTimeoutMs: 5000 });",
        "  const files = await analyzeSources([{ path: 'a.sql', text: 'SELECT 1' }], { pgVersion: 15 });",
        '  const effects: StatementEffects | undefined = files[0]?.statements[0]?.analyzed.effects;',
        "  return effects ? report.findings.filter((f) => f.severity === 'error') : [];",
        '}',
        '',
      ].join('\n'),
    );
    const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const compiled = await run(process.execPath, [tsc, '--noEmit', '--strict', '--skipLibCheck', '--module', 'commonjs', '--moduleResolution', 'node', '--target', 'es2022', '--types', 'node', '--typeRoots', path.join(REPO_ROOT, 'node_modules', '@types'), 'use.ts'], { cwd: project }).catch((e) => e);
    // tsc reports type errors on stdout.
    expect(compiled.stdout).toBe('');
    expect(compiled.code ?? 0).toBe(0);
  });
});
