import * as path from 'node:path';
import { checkOrmFixture, migrationFiles, ORM_FIXTURES } from './helpers';

/** Knex migrations (JavaScript and TypeScript) linted through Knex's own SQL generation. */
const project = path.join(ORM_FIXTURES, 'knex');

describe('knex migrations', () => {
  checkOrmFixture('knex', project, {
    // Knex applies migrations in file name order.
    order: migrationFiles(project),
    lines: {
      'creating-index-non-concurrently': ['20240102000000_add_index.js', 2],
      'adding-required-column': ['20240104000000_add_required_column.ts', 4],
      'constraint-without-not-valid': ['20240105000000_add_foreign_key.js', 5],
    },
  });
});
