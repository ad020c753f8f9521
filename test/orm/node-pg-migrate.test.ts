import * as path from 'node:path';
import { checkOrmFixture, migrationFiles, ORM_FIXTURES } from './helpers';

/** node-pg-migrate migrations (CommonJS, ES module, TypeScript) linted through its own MigrationBuilder. */
const project = path.join(ORM_FIXTURES, 'node-pg-migrate');

describe('node-pg-migrate migrations', () => {
  checkOrmFixture('node-pg-migrate', project, {
    // node-pg-migrate applies migrations by numeric prefix (these are all 13-digit timestamps).
    order: migrationFiles(project),
    lines: {
      'creating-index-non-concurrently': ['1704153600000_add-index.mjs', 2],
      'changing-column-type': ['1704240000000_change-type.js', 2],
      'adding-required-column': ['1704326400000_add-required-column.ts', 4],
      'constraint-without-not-valid': ['1704412800000_add-foreign-key.js', 2],
    },
  });
});
