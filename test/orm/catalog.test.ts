import { changesRecordedBy, useRepoMigration } from './helpers';
import { evaluateOrmMigration } from '../../src/orm/evaluate';

/**
 * TypeORM migrations that ask the database before changing it (`hasTable`, `hasColumn`, which
 * first ask for the current schema). There is no database: the answers must agree with what the
 * helpers are told (every table exists, with no known columns), so such a migration records the
 * change it would make instead of failing.
 */
describe('TypeORM migrations that ask whether a table or column exists', () => {
  // Inside the repository, so typeorm (a dev dependency) is found as a project's would be.
  const file = useRepoMigration('orm-typeorm-catalog', '1704067200000-AddRegion.js', [
    "const { Table, TableColumn, TableIndex } = require('typeorm');",
    'class AddRegion1704067200000 {',
    '  async up(queryRunner) {',
    "    if (!(await queryRunner.hasTable('orders'))) {",
    "      await queryRunner.createTable(new Table({ name: 'orders', columns: [{ name: 'id', type: 'int', isPrimary: true }] }));",
    '    }',
    "    if (!(await queryRunner.hasColumn('orders', 'region'))) {",
    "      await queryRunner.addColumn('orders', new TableColumn({ name: 'region', type: 'int', isNullable: true }));",
    "      await queryRunner.createIndex('orders', new TableIndex({ name: 'orders_region_idx', columnNames: ['region'] }));",
    '    }',
    '  }',
    '  async down() {}',
    '}',
    'module.exports = { AddRegion1704067200000 };',
    '',
  ]);

  it('answers as the helpers see the database: the table exists, the column does not, and the change is recorded', async () => {
    const recorded = await evaluateOrmMigration(file);
    const changes = recorded.statements.filter((s) => !/^SELECT\b/i.test(s.sql));
    expect(changes.map((s) => [s.sql.replace(/\s+/g, ' ').trim(), s.line])).toEqual([
      ['ALTER TABLE "orders" ADD "region" int', 8],
      ['CREATE INDEX "orders_region_idx" ON "orders" ("region")', 9],
    ]);
    expect(recorded.statements.some((s) => /CREATE TABLE/i.test(s.sql))).toBe(false);
  });
});

/** Knex's schema.hasTable / hasColumn get the same answers as TypeORM's. */
describe('Knex migrations that ask whether a table or column exists', () => {
  // Inside the repository, so knex (a dev dependency) is found as a project's would be.
  const file = useRepoMigration('orm-knex-catalog', '20240101000000_add_region.js', [
    'exports.up = async (knex) => {',
    "  if (!(await knex.schema.hasTable('orders'))) {",
    "    await knex.schema.createTable('orders', (t) => t.increments('id'));",
    '  }',
    "  if (!(await knex.schema.hasColumn('orders', 'region'))) {",
    "    await knex.schema.alterTable('orders', (t) => t.integer('region').index());",
    '  }',
    '};',
    '',
  ]);

  it('the table exists (its creation is skipped, so it does not count as new), the column does not (its change is recorded)', async () => {
    const recorded = await evaluateOrmMigration(file, { tool: 'knex' });
    const changes = recorded.statements.filter((s) => !/^select\b/i.test(s.sql));
    expect(changes.map((s) => [s.sql, s.line])).toEqual([
      ['alter table "orders" add column "region" integer', 6],
      ['create index "orders_region_index" on "orders" ("region")', 6],
    ]);
  });
});

/** Sequelize's queryInterface.tableExists gets the same answer. */
describe('Sequelize migrations that ask whether a table exists', () => {
  // Inside the repository, so sequelize (a dev dependency) is found as a project's would be.
  const file = useRepoMigration('orm-sequelize-catalog', '20240101000000-add-region.js', [
    'module.exports = {',
    '  up: async (queryInterface, Sequelize) => {',
    "    if (!(await queryInterface.tableExists('orders'))) {",
    "      await queryInterface.createTable('orders', { id: { type: Sequelize.INTEGER, primaryKey: true } });",
    '    }',
    "    await queryInterface.addIndex('orders', ['region']);",
    '  },',
    '};',
    '',
  ]);

  it('the table exists: its creation is skipped, so the index build on it is not exempt as one on a new table', async () => {
    const changes = await changesRecordedBy(file);
    expect(changes.map((s) => [s.sql, s.line])).toEqual([['CREATE INDEX "orders_region" ON "orders" ("region")', 6]]);
  });
});
