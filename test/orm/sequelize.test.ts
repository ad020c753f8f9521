import * as path from 'node:path';
import { checkOrmFixture, migrationFiles, ORM_FIXTURES } from './helpers';

/** Sequelize (sequelize-cli / umzug) migrations linted through Sequelize's own QueryInterface. */
const project = path.join(ORM_FIXTURES, 'sequelize');

describe('sequelize migrations', () => {
  checkOrmFixture('sequelize', project, {
    // sequelize-cli applies migrations in file name order.
    order: migrationFiles(project),
    lines: {
      'creating-index-non-concurrently': ['20240102000000-add-index.js', 5],
      'changing-column-type': ['20240103000000-change-type.cjs', 5],
      'adding-required-column': ['20240104000000-add-required-column.ts', 5],
      'constraint-without-not-valid': ['20240105000000-add-foreign-key.js', 5],
    },
  });
});
