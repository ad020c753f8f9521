import * as path from 'node:path';
import { evaluateOrmMigration } from '../../src/orm/evaluate';
import { expectedStatements, lintJson, migrationFiles, ORM_FIXTURES, said } from './helpers';

/**
 * Knex migrations (JavaScript and TypeScript) linted through Knex's own SQL generation. The
 * expected-sql files hold what Knex sends for each migration (test/orm/real-tools.test.ts checks
 * them against a real server's log); the findings on the migrations must equal those on that SQL.
 */
const project = path.join(ORM_FIXTURES, 'knex');

describe('knex migrations', () => {
  it('records the SQL Knex sends for each migration, in its transaction', async () => {
    for (const file of migrationFiles(project)) {
      const recorded = await evaluateOrmMigration(path.join(project, 'migrations', file));
      expect(recorded.tool).toBe('knex');
      const expected = expectedStatements(path.join(project, 'expected-sql', file.replace(/\.(js|ts)$/, '.sql')));
      expect(['BEGIN', ...recorded.statements.map((s) => s.sql), 'COMMIT']).toEqual(expected);
    }
  });

  it('finds exactly what linting the generated SQL finds, in Knex order, at the lines that produced it', async () => {
    const orm = await lintJson(project, 'migrations');
    const sql = await lintJson(project, 'expected-sql');
    expect(orm.findings.map(said)).toEqual(sql.findings.map(said));
    expect(orm.code).toBe(sql.code);
    expect(orm.files).toEqual(migrationFiles(project).map((f) => `migrations/${f}`));
    const rules = new Set(orm.findings.map((f) => f.ruleId));
    for (const id of ['creating-index-non-concurrently', 'changing-column-type', 'adding-required-column', 'constraint-without-not-valid']) expect(rules).toContain(id);
    const at = (id: string) => orm.findings.find((f) => f.ruleId === id)!;
    expect([at('creating-index-non-concurrently').line, at('adding-required-column').line, at('constraint-without-not-valid').line]).toEqual([2, 4, 5]);
    expect(at('adding-required-column').file).toBe('migrations/20240104000000_add_required_column.ts');
  });
});
