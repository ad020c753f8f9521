import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../harness/cli';
import { evaluateOrmMigration } from '../../src/orm/evaluate';
import { lintJson } from './helpers';

/**
 * Migrations that neither await nor return their tool's promises (common in older sequelize-cli
 * projects: `queryInterface.addIndex(…)` on its own line). Their tool still sends those
 * statements, so dbops must record them all; and one that fails unawaited must be an input
 * error for that file, not a crash of the whole run.
 */
describe('sequelize migrations that do not await their statements', () => {
  // Inside the repository, so sequelize (a dev dependency) is found as a project's would be.
  const root = path.join(REPO_ROOT, '.tmp', 'orm-unawaited');
  const migration = (name: string) => path.join(root, 'migrations', name);
  beforeAll(() => {
    fs.rmSync(root, { recursive: true, force: true });
    fs.mkdirSync(path.join(root, 'migrations'), { recursive: true });
    fs.writeFileSync(migration('20240101000000-chained.js'), [
      'module.exports = {',
      '  up: function (queryInterface, Sequelize) {',
      "    queryInterface.sequelize.query('SELECT 1')",
      "      .then(() => queryInterface.addColumn('orders', 'region', { type: Sequelize.INTEGER }))",
      "      .then(() => queryInterface.addIndex('orders', ['region']));",
      "    queryInterface.addIndex('orders', ['created_at']);",
      '  },',
      '};',
      '',
    ].join('\n'));
    fs.writeFileSync(migration('20240102000000-fails-later.js'), [
      'module.exports = {',
      '  up: function (queryInterface, Sequelize) {',
      "    queryInterface.sequelize.query('SELECT id FROM orders LIMIT 1').then(([rows]) => rows[0].id.toString());",
      '  },',
      '};',
      '',
    ].join('\n'));
    fs.writeFileSync(migration('20240103000000-fine.js'), "module.exports = { up: (queryInterface, Sequelize) => queryInterface.addIndex('orders', ['total']) };\n");
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('records every statement the migration starts, also those sent after up has returned', async () => {
    const recorded = await evaluateOrmMigration(migration('20240101000000-chained.js'));
    expect(recorded.statements.map((s) => s.sql.replace(/;$/, ''))).toEqual([
      'SELECT 1',
      'CREATE INDEX "orders_created_at" ON "orders" ("created_at")',
      'ALTER TABLE "public"."orders" ADD COLUMN "region" INTEGER',
      'CREATE INDEX "orders_region" ON "orders" ("region")',
    ]);
  });

  it('a promise that fails unawaited is an input error for its file; the run goes on', async () => {
    const res = await lintJson(root, 'migrations');
    const inputs = res.findings.filter((f) => f.ruleId === 'input-error').map((f) => `${f.file}: ${f.message}`);
    expect(inputs).toEqual([
      "migrations/20240102000000-fails-later.js: migrations/20240102000000-fails-later.js failed while dbops recorded the SQL sequelize sends: Cannot read properties of undefined (reading 'id')",
    ]);
    const indexes = res.findings.filter((f) => f.ruleId === 'creating-index-non-concurrently').map((f) => f.file);
    expect(indexes).toEqual(['migrations/20240101000000-chained.js', 'migrations/20240101000000-chained.js', 'migrations/20240103000000-fine.js']);
    expect(res.code).toBe(2);
  });
});
