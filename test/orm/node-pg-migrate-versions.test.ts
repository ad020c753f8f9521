import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../harness/cli';
import { evaluateOrmMigration, sqlText } from '../../src/orm/evaluate';

/**
 * node-pg-migrate exports its MigrationBuilder by name only since version 8; projects on 6 and 7
 * (the releases of 2021–2024) have it as the default export of its own module. Linting their
 * migrations must work the same. A project whose node-pg-migrate is 7.9.1 (a dev dependency of
 * dbops, installed under another name) is laid out the way npm lays it out.
 */
describe('node-pg-migrate 7 projects', () => {
  const root = path.join(REPO_ROOT, '.tmp', 'orm-node-pg-migrate-7');
  const file = path.join(root, 'migrations', '1700000000000_add-lining.js');
  beforeAll(() => {
    fs.rmSync(root, { recursive: true, force: true });
    fs.mkdirSync(path.join(root, 'node_modules'), { recursive: true });
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules', 'node-pg-migrate-7'), path.join(root, 'node_modules', 'node-pg-migrate'), 'dir');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, [
      'exports.up = (pgm) => {',
      "  pgm.addColumns('product', { lining: { type: 'integer', default: 0 } });",
      "  pgm.createIndex('product', 'lining');",
      '};',
      '',
    ].join('\n'));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('records the SQL with the project\'s own MigrationBuilder', async () => {
    const recorded = await evaluateOrmMigration(file, { tool: 'node-pg-migrate' });
    expect(JSON.parse(fs.readFileSync(path.join(root, 'node_modules', 'node-pg-migrate', 'package.json'), 'utf8')).version).toBe('7.9.1');
    expect(sqlText(recorded).text.split(';\n\n').filter(Boolean).map((s) => s.replace(/\s+/g, ' '))).toEqual([
      'BEGIN',
      'ALTER TABLE "product" ADD "lining" integer DEFAULT 0',
      'CREATE INDEX "product_lining_index" ON "product" ("lining")',
      'COMMIT',
    ]);
    expect(recorded.statements.map((s) => s.line)).toEqual([2, 3]);
  });
});
