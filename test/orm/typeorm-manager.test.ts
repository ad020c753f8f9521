import { useRepoMigration } from './helpers';
import { evaluateOrmMigration } from '../../src/orm/evaluate';

/**
 * TypeORM migrations that send SQL through the query runner's entity manager or its data source
 * rather than queryRunner.query: `queryRunner.manager.query(…)`, query builders,
 * `queryRunner.connection.query(…)`. The tool sends all of it, so dbops records all of it.
 */
describe('TypeORM migrations using the entity manager and the data source', () => {
  // Inside the repository, so typeorm (a dev dependency) is found as a project's would be.
  const file = useRepoMigration('orm-typeorm-manager', '1704067200000-Backfill.js', [
    'class Backfill1704067200000 {',
    '  async up(queryRunner) {',
    "    await queryRunner.manager.query('ALTER TABLE orders ADD region int');",
    "    await queryRunner.manager.createQueryBuilder().update('orders').set({ region: 1 }).where('id > :id', { id: 5 }).execute();",
    "    await queryRunner.connection.query('CREATE INDEX orders_region_idx ON orders (region)');",
    '  }',
    '  async down() {}',
    '}',
    'module.exports = { Backfill1704067200000 };',
    '',
  ]);

  it('records what each of them sends, at its line', async () => {
    const recorded = await evaluateOrmMigration(file);
    expect(recorded.statements.map((s) => [s.sql, s.line])).toEqual([
      ['ALTER TABLE orders ADD region int', 3],
      ['UPDATE "orders" SET "region" = 1 WHERE id > 5', 4],
      ['CREATE INDEX orders_region_idx ON orders (region)', 5],
    ]);
  });
});
