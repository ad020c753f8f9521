import { upFunction } from './detect';
import { OrmEvaluationError, type OrmMigrationSql, type RecordedStatement, type RecorderInput } from './types';

interface MigrationBuilderLike {
  getSqlSteps(): string[];
  isUsingTransaction(): boolean;
}
type MigrationBuilderClass = new (db: unknown, typeShorthands: unknown, shouldDecamelize: boolean, logger: unknown) => MigrationBuilderLike;

const QUIET_LOGGER = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * node-pg-migrate: runs `up(pgm)` with the project's own MigrationBuilder, the object its runner
 * and its dry run use, and reads the steps back with getSqlSteps(): the SQL is what
 * node-pg-migrate would send. Each pgm call is watched so its steps carry the line that made the
 * call. Queries a migration runs itself through `pgm.db` are recorded first (they run at once,
 * the builder's steps only after `up` returns), answered with no rows. A migration runs in its
 * own transaction unless it calls pgm.noTransaction().
 */
export async function recordNodePgMigration(input: RecorderInput): Promise<OrmMigrationSql> {
  const up = upFunction(input.exports);
  if (!up) throw new OrmEvaluationError('has no up function (a node-pg-migrate migration exports up(pgm))', 'export up(pgm)');
  const MigrationBuilder = migrationBuilderClass(input.projectRequire);
  const immediate: RecordedStatement[] = [];
  const db = {
    query: async (sql: string | { text: string }) => {
      immediate.push({ sql: typeof sql === 'string' ? sql : sql.text, line: input.callSite() });
      return { rows: [], rowCount: 0 };
    },
    select: async (sql: string) => {
      immediate.push({ sql, line: input.callSite() });
      return [];
    },
  };
  const builder = new MigrationBuilder(db, input.exports.shorthands, false, QUIET_LOGGER);
  const stepLines: Array<number | undefined> = [];
  const pgm = watchedBuilder(builder, stepLines, input.callSite);
  if (up.length >= 2) await new Promise<void>((resolve) => void up(pgm, resolve));
  else await up(pgm);
  const steps = builder.getSqlSteps().map((sql, i) => ({ sql, line: stepLines[i] }));
  return { tool: 'node-pg-migrate', statements: [...immediate, ...steps], transaction: builder.isUsingTransaction() };
}

/**
 * Where each major version keeps its MigrationBuilder: exported by name since 8; before that only
 * as the default export of its own module (7: dist/migrationBuilder, 6: dist/migration-builder).
 */
const BUILDER_MODULES = ['node-pg-migrate', 'node-pg-migrate/dist/migrationBuilder', 'node-pg-migrate/dist/migration-builder'];

function migrationBuilderClass(projectRequire: NodeJS.Require): MigrationBuilderClass {
  for (const id of BUILDER_MODULES) {
    let loaded: { MigrationBuilder?: unknown; default?: unknown };
    try {
      loaded = projectRequire(id) as typeof loaded;
    } catch {
      continue;
    }
    // The package's own default export is its runner: the builder is the class with getSqlSteps.
    const candidate = [loaded.MigrationBuilder, loaded.default].find((c) => typeof c === 'function' && typeof (c as { prototype?: { getSqlSteps?: unknown } }).prototype?.getSqlSteps === 'function');
    if (candidate) return candidate as MigrationBuilderClass;
  }
  throw new OrmEvaluationError('cannot be evaluated: the project\'s node-pg-migrate has no MigrationBuilder dbops can find', 'use node-pg-migrate 6 or later');
}

/** The builder, with each method call noting the caller's line for the steps it adds. */
function watchedBuilder(builder: MigrationBuilderLike, stepLines: Array<number | undefined>, callSite: () => number | undefined): MigrationBuilderLike {
  return new Proxy(builder, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function' || key === 'getSqlSteps') return value;
      return (...args: unknown[]) => {
        const line = callSite();
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        const added = target.getSqlSteps().length;
        while (stepLines.length < added) stepLines.push(line);
        return result === target ? receiver : result;
      };
    },
  });
}
