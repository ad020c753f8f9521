import { changesRecordedBy, useRepoMigration } from './helpers';

/**
 * QueryInterface calls that read from the database or bind values before they change anything:
 * an ENUM column (Sequelize reloads the type OIDs after creating the type), renameColumn (it
 * describes the table first), bulkUpdate (bind parameters). Each must record the SQL Sequelize
 * sends, every value inlined.
 */
describe('sequelize calls that ask the database or bind values', () => {
  // Inside the repository, so sequelize (a dev dependency) is found as a project's would be.
  const file = useRepoMigration('orm-sequelize-answers', '20240101000000-status.js', [
    'module.exports = {',
    '  up: async (queryInterface, Sequelize) => {',
    "    await queryInterface.addColumn('orders', 'status', { type: Sequelize.ENUM('new', 'paid'), allowNull: false, defaultValue: 'new' });",
    "    await queryInterface.renameColumn('orders', 'total', 'amount');",
    "    await queryInterface.bulkUpdate('orders', { amount: 0, status: 'paid' }, { amount: null });",
    '  },',
    '};',
    '',
  ]);

  it('records the changes each call sends, with every bind parameter inlined', async () => {
    const changes = await changesRecordedBy(file);
    expect(changes.map((s) => [s.sql, s.line])).toEqual([
      [`DO 'BEGIN CREATE TYPE "public"."enum_orders_status" AS ENUM(''new'', ''paid''); EXCEPTION WHEN duplicate_object THEN null; END';ALTER TABLE "public"."orders" ADD COLUMN "status" "public"."enum_orders_status" NOT NULL DEFAULT 'new';`, 3],
      ['ALTER TABLE "orders" RENAME COLUMN "total" TO "amount";', 4],
      [`UPDATE "orders" SET "amount"=0,"status"='paid' WHERE "amount" IS NULL`, 5],
    ]);
  });
});

/** A migration's own describeTable agrees with the other tools: the column it asks about is missing. */
describe('sequelize migrations that describe a table before changing it', () => {
  const file = useRepoMigration('orm-sequelize-describe', '20240101000000-region.js', [
    'module.exports = {',
    '  up: async (queryInterface, Sequelize) => {',
    "    const columns = await queryInterface.describeTable('orders');",
    '    if (!columns.region) {',
    "      await queryInterface.addColumn('orders', 'region', { type: Sequelize.INTEGER });",
    "      await queryInterface.addIndex('orders', ['region']);",
    '    }',
    "    await queryInterface.renameColumn('orders', 'total', 'amount');",
    '  },',
    '};',
    '',
  ]);

  it('records the guarded change, and renameColumn still finds the column it renames', async () => {
    const changes = await changesRecordedBy(file);
    expect(changes.map((s) => [s.sql, s.line])).toEqual([
      ['ALTER TABLE "public"."orders" ADD COLUMN "region" INTEGER;', 5],
      ['CREATE INDEX "orders_region" ON "orders" ("region")', 6],
      ['ALTER TABLE "orders" RENAME COLUMN "total" TO "amount";', 8],
    ]);
  });
});
