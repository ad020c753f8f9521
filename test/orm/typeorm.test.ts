import * as path from 'node:path';
import { checkOrmFixture, ORM_FIXTURES } from './helpers';

/** TypeORM migration classes (TypeScript and JavaScript) linted through TypeORM's own PostgreSQL query runner. */
const project = path.join(ORM_FIXTURES, 'typeorm');

describe('typeorm migrations', () => {
  checkOrmFixture('typeorm', project, {
    // TypeORM orders by the timestamp ending the class name: AddRequiredColumn1704326400000 lives
    // in 1704412800000-AddRequiredColumn.ts and runs before AddForeignKey1704412800000.
    order: [
      '1704067200000-CreateOrders.ts',
      '1704153600000-AddIndex.ts',
      '1704240000000-ChangeType.js',
      '1704412800000-AddRequiredColumn.ts',
      '1704326400000-AddForeignKey.ts',
    ],
    lines: {
      'creating-index-non-concurrently': ['1704153600000-AddIndex.ts', 5],
      'changing-column-type': ['1704240000000-ChangeType.js', 3],
      'adding-required-column': ['1704412800000-AddRequiredColumn.ts', 5],
      'constraint-without-not-valid': ['1704326400000-AddForeignKey.ts', 5],
    },
  });
});
