import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, runCli } from '../harness/cli';

/**
 * --since with Knex migrations: the migrations before the first changed one are production's
 * history; they are evaluated too (their SQL recorded) and teach the linter the tables and column
 * types they created, without being reported.
 */
describe('dbops lint --since on Knex migrations', () => {
  // Inside the repository, so knex (a dev dependency) is found as a project's would be.
  const root = path.join(REPO_ROOT, '.tmp', 'orm-since');
  const git = (...args: string[]) => spawnSync('git', ['-c', 'user.email=t@example.invalid', '-c', 'user.name=t', ...args], { cwd: root, encoding: 'utf8' });
  beforeAll(() => {
    fs.rmSync(root, { recursive: true, force: true });
    fs.mkdirSync(path.join(root, 'migrations'), { recursive: true });
    fs.writeFileSync(
      path.join(root, 'migrations', '20240101000000_create_orders.js'),
      "exports.up = (knex) => knex.schema.createTable('orders', (t) => { t.increments('id'); t.integer('total'); });\n",
    );
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'history');
    fs.writeFileSync(path.join(root, 'migrations', '20240102000000_widen_total.js'), "exports.up = (knex) => knex.schema.alterTable('orders', (t) => { t.bigInteger('total').alter(); });\n");
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('lints only the new migration, knowing from the old one that orders.total is an integer', async () => {
    const res = await runCli(['lint', 'migrations', '--since', 'HEAD', '--format', 'json'], { cwd: root });
    const report = JSON.parse(res.stdout) as { files: Array<{ path: string }>; findings: Array<{ ruleId: string; severity: string; message: string; file: string }> };
    expect(report.files.map((f) => f.path)).toEqual(['migrations/20240102000000_widen_total.js']);
    const typeChange = report.findings.find((f) => f.ruleId === 'changing-column-type')!;
    // Certain, not "cannot prove": the history said integer, and orders is not a new table.
    expect(typeChange).toMatchObject({ severity: 'error', file: 'migrations/20240102000000_widen_total.js' });
    expect(typeChange.message).toContain('integer → bigint');
  });
});
