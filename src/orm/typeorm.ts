import { tableExistenceRows } from './catalog';
import { typeormClass } from './detect';
import { OrmEvaluationError, type OrmMigrationSql, type RecordedStatement, type RecorderInput } from './types';

interface TypeormModule {
  DataSource: new (options: Record<string, unknown>) => { createQueryRunner(mode: string): QueryRunnerLike };
  Table: new (options: { name: string }) => unknown;
}
interface QueryRunnerLike {
  query: (sql: string, parameters?: unknown[], structured?: boolean) => Promise<unknown>;
  loadTables: (names: string[]) => Promise<unknown[]>;
  startTransaction: () => Promise<void>;
  commitTransaction: () => Promise<void>;
  rollbackTransaction: () => Promise<void>;
  connect: () => Promise<unknown>;
  release: () => Promise<void>;
}

/**
 * TypeORM: runs the migration class's `up(queryRunner)` with the project's own PostgreSQL query
 * runner (from a DataSource that is never initialised, so nothing connects). Raw
 * `queryRunner.query(…)` calls and the helpers (createIndex, addColumn, createForeignKey, …),
 * which build their SQL in that query runner, all end in query(), which records and answers with
 * no rows. The helpers look a table up before changing it: it is given to them as existing with
 * no known columns, so a helper that needs an old column's definition (changeColumn by name)
 * fails with TypeORM's own message, which becomes an input-error finding.
 * TypeORM orders migrations by the 13-digit timestamp ending the class name, and runs them in a
 * transaction unless the class sets `transaction = false`.
 */
export async function recordTypeormMigration(input: RecorderInput): Promise<OrmMigrationSql> {
  const MigrationClass = typeormClass(input.exports);
  if (!MigrationClass) throw new OrmEvaluationError('exports no migration class (TypeORM)', 'export a class implementing MigrationInterface');
  const typeorm = input.projectRequire('typeorm') as TypeormModule;
  const dataSource = new typeorm.DataSource({ type: 'postgres' });
  // The data source's own factory, so the query runner has its entity manager
  // (queryRunner.manager.query(…), query builders), as in a migration the tool runs; what the
  // migration sends through the data source itself (queryRunner.connection.query(…)) goes
  // through the same recording runner.
  const queryRunner = dataSource.createQueryRunner('master');
  dataSource.createQueryRunner = () => queryRunner;
  const statements: RecordedStatement[] = [];
  queryRunner.connect = async () => undefined;
  queryRunner.release = async () => undefined;
  queryRunner.query = async (sql: string, parameters?: unknown[], structured?: boolean) => {
    statements.push({ sql: inlineParameters(sql, parameters ?? []), line: input.callSite() });
    const records = catalogAnswer(sql);
    return structured ? { records, raw: records, affected: 0 } : records;
  };
  queryRunner.loadTables = async (names: string[]) => names.map((name) => new typeorm.Table({ name }));
  queryRunner.startTransaction = async () => void statements.push({ sql: 'BEGIN', line: input.callSite() });
  queryRunner.commitTransaction = async () => void statements.push({ sql: 'COMMIT', line: input.callSite() });
  queryRunner.rollbackTransaction = async () => void statements.push({ sql: 'ROLLBACK', line: input.callSite() });
  const migration = new MigrationClass();
  await migration.up(queryRunner);
  const name = typeof migration.name === 'string' ? migration.name : MigrationClass.name;
  const timestamp = /(\d{13})$/.exec(name)?.[1];
  return { tool: 'typeorm', statements, transaction: migration.transaction !== false, orderKey: timestamp };
}

/**
 * What the query runner's own questions about the database are answered, consistent with the
 * tables loadTables gives the helpers (every table exists, with no known columns): the current
 * schema, database and server version (hasTable, hasColumn and most helpers ask for them first),
 * table existence as catalog.ts answers it, and no rows for anything else.
 * So `if (!(await queryRunner.hasColumn(…)))` records the column it adds.
 */
function catalogAnswer(sql: string): Array<Record<string, unknown>> {
  if (/^\s*SELECT (\* FROM )?current_schema\(\)/i.test(sql)) return [{ current_schema: 'public', currentSchema: 'public' }];
  if (/^\s*SELECT (\* FROM )?current_database\(\)/i.test(sql)) return [{ current_database: 'dbops_never_connected' }];
  if (/^\s*SELECT version\(\)/i.test(sql)) return [{ version: 'PostgreSQL 15.0' }];
  return tableExistenceRows(sql) ?? [];
}

/** $1, $2 … replaced by SQL literals, so the statement can be linted on its own. */
function inlineParameters(sql: string, parameters: unknown[]): string {
  if (parameters.length === 0) return sql;
  return sql.replace(/\$(\d+)/g, (m, n: string) => (Number(n) <= parameters.length ? literal(parameters[Number(n) - 1]) : m));
}

function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return `'${String(value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : value).replace(/'/g, "''")}'`;
}
