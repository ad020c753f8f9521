import { tableExistenceRows } from './catalog';
import { upFunction } from './detect';
import { OrmEvaluationError, type OrmMigrationSql, type RecordedStatement, type RecorderInput } from './types';

interface SequelizeLike {
  getQueryInterface(): unknown;
  query: (sql: unknown, options?: Record<string, unknown>) => Promise<unknown>;
  transaction: (...args: unknown[]) => Promise<unknown>;
  escape(value: unknown): string;
}

/**
 * Sequelize (sequelize-cli / umzug migrations, `up(queryInterface, Sequelize)`): runs `up` with the
 * project's QueryInterface for PostgreSQL, whose query generator builds the SQL; the instance's
 * query() records it (replacements and bind parameters inlined with Sequelize's own escaping)
 * and answers with no rows, and its transaction() records BEGIN/COMMIT instead of connecting.
 * Descriptions of a table agree with the other tools' catalog answers (catalog.ts): a column a
 * migration asks about does not exist, so `if (!columns.region) addColumn(…)` records the
 * column it adds; Sequelize's own renameColumn, which describes the table first, is told the
 * column it renames exists.
 */
export async function recordSequelizeMigration(input: RecorderInput): Promise<OrmMigrationSql> {
  const up = upFunction(input.exports);
  if (!up) throw new OrmEvaluationError('has no up function (a sequelize migration exports up(queryInterface, Sequelize))', 'export up(queryInterface, Sequelize)');
  const SequelizeModule = input.projectRequire('sequelize') as { Sequelize: new (url: string, options: Record<string, unknown>) => SequelizeLike };
  // The URL is never connected to; it only selects the postgres dialect.
  const sequelize = new SequelizeModule.Sequelize('postgres://dbops@localhost:5432/dbops_never_connected', { dialect: 'postgres', logging: false });
  const statements: RecordedStatement[] = [];
  const queryInterface = sequelize.getQueryInterface() as { renameColumn: (...args: unknown[]) => Promise<unknown> };
  let renaming = 0;
  const renameColumn = queryInterface.renameColumn.bind(queryInterface);
  queryInterface.renameColumn = async (...args: unknown[]) => {
    renaming++;
    try {
      return await renameColumn(...args);
    } finally {
      renaming--;
    }
  };
  sequelize.query = async (sql: unknown, options: Record<string, unknown> = {}) => {
    const text = inline(sql, options, (v) => sequelize.escape(v));
    statements.push({ sql: text, line: input.callSite() });
    return tableExistenceRows(text) ?? answer(text, options, renaming > 0);
  };
  sequelize.transaction = async (...args: unknown[]) => {
    const run = args.find((a): a is (t: unknown) => Promise<unknown> => typeof a === 'function');
    const transaction = { commit: async () => undefined, rollback: async () => undefined, afterCommit: () => undefined, LOCK: {} };
    statements.push({ sql: 'BEGIN', line: input.callSite() });
    if (!run) {
      transaction.commit = async () => void statements.push({ sql: 'COMMIT' });
      return transaction;
    }
    const result = await run(transaction);
    statements.push({ sql: 'COMMIT' });
    return result;
  };
  await up(queryInterface, SequelizeModule.Sequelize);
  // sequelize-cli runs each migration without a transaction of its own.
  return { tool: 'sequelize', statements, transaction: false };
}

function inline(sql: unknown, options: Record<string, unknown>, escape: (value: unknown) => string): string {
  const text = typeof sql === 'string' ? sql : String((sql as { query?: unknown }).query ?? sql);
  const bind = (options.bind ?? (sql as { bind?: unknown }).bind) as unknown[] | Record<string, unknown> | undefined;
  const replacements = options.replacements as unknown[] | Record<string, unknown> | undefined;
  let out = text;
  if (bind) out = out.replace(/\$(\w+)/g, (m, key: string) => {
    // $1 is the array's first element; a named $key is that property.
    const name = Array.isArray(bind) ? String(Number(key) - 1) : key;
    return name in bind ? escape((bind as Record<string, unknown>)[name]) : m;
  });
  if (Array.isArray(replacements)) {
    let i = 0;
    out = out.replace(/\?/g, (m) => (i < replacements.length ? escape(replacements[i++]) : m));
  } else if (replacements) {
    out = out.replace(/(?<!:):(\w+)/g, (m, key: string) => (key in replacements ? escape(replacements[key]) : m));
  }
  return out;
}

/**
 * Sequelize reloads the type OIDs after creating an enum type (adding or changing an ENUM
 * column), reading the driver's raw result; the query is recognised by the ranges it joins.
 */
const TYPE_OID_REFRESH = /^WITH ranges AS \(\s*SELECT pg_range\.rngtypid/i;

/** What a database with the tables in place but no rows would answer, by the query type Sequelize asks for. */
function answer(sql: string, options: Record<string, unknown>, forRename: boolean): unknown {
  if (TYPE_OID_REFRESH.test(sql)) return [{ command: 'SELECT', rows: [] }];
  switch (options.type) {
    case 'DESCRIBE': {
      // Never empty (describeTable refuses an empty description): a table with its key; for
      // renameColumn, every column asked for exists.
      const column = { type: 'TEXT', allowNull: true, defaultValue: null, primaryKey: false };
      const described = { id: { ...column, allowNull: false, primaryKey: true } };
      return forRename ? new Proxy(described, { get: (_t, key) => (typeof key === 'string' ? column : undefined) }) : described;
    }
    case 'SELECT':
    case 'SHOWINDEXES':
    case 'SHOWCONSTRAINTS':
    case 'SHOWTABLES':
      return options.plain ? null : [];
    default:
      return options.plain ? null : [[], 0];
  }
}
