import { tableExistenceRows } from './catalog';
import type { OrmMigrationSql, RecordedStatement, RecorderInput } from './types';
import { OrmEvaluationError } from './types';

type KnexClientClass = new (config: Record<string, unknown>) => Record<string, unknown>;
interface Builder {
  __dbopsLine?: number;
}

/**
 * Knex: runs `up(knex)` on a knex instance from the project whose client is Knex's own
 * PostgreSQL client with the connection replaced by a recorder. Schema and query builders compile
 * SQL exactly as for a real database; every query is recorded with its bindings inlined by
 * Knex's own escaping, and answered with no rows (schema.hasTable: catalog.ts). The line is taken when the builder is created
 * (`knex.schema…`, `knex.raw(…)`), which is where the migration wrote it.
 */
export async function recordKnexMigration(input: RecorderInput): Promise<OrmMigrationSql> {
  const up = input.exports.up;
  if (typeof up !== 'function') throw new OrmEvaluationError('has no up function (a knex migration exports up(knex))', 'export an up(knex) function');
  const knexFactory = loadKnex(input.projectRequire);
  const PgClient = input.projectRequire('knex/lib/dialects/postgres') as KnexClientClass;
  const statements: RecordedStatement[] = [];
  const RecordingClient = recordingClientClass(PgClient, statements, input.callSite);
  const knex = knexFactory({ client: RecordingClient }) as { destroy(): Promise<void> };
  await up(knex);
  const config = input.exports.config as { transaction?: boolean } | undefined;
  return { tool: 'knex', statements, transaction: config?.transaction !== false };
}

function loadKnex(projectRequire: NodeJS.Require): (config: Record<string, unknown>) => unknown {
  const loaded = projectRequire('knex') as { knex?: unknown; default?: unknown };
  const factory = typeof loaded === 'function' ? loaded : (loaded.knex ?? loaded.default);
  if (typeof factory !== 'function') throw new OrmEvaluationError('cannot be evaluated: the project\'s knex package exports no knex()', 'install knex 1.x or later');
  return factory as (config: Record<string, unknown>) => unknown;
}

function recordingClientClass(PgClient: KnexClientClass, statements: RecordedStatement[], callSite: () => number | undefined): KnexClientClass {
  const Base = PgClient as unknown as new (config: Record<string, unknown>) => {
    _escapeBinding(value: unknown): string;
    runner(builder: Builder): { query(obj: unknown): Promise<unknown> };
    schemaBuilder(): Builder;
    queryBuilder(): Builder;
    raw(...args: unknown[]): Builder;
  };
  class RecordingClient extends Base {
    lineOfRunningBuilder: number | undefined;
    constructor(config: Record<string, unknown>) {
      super({ ...config, client: 'pg' });
    }
    _driver(): unknown {
      // Never connects: no driver needed, even when the project has no pg installed.
      return {};
    }
    override schemaBuilder(): Builder {
      return withLine(super.schemaBuilder(), callSite);
    }
    override queryBuilder(): Builder {
      return withLine(super.queryBuilder(), callSite);
    }
    override raw(...args: unknown[]): Builder {
      return withLine(super.raw(...args), callSite);
    }
    override runner(builder: Builder) {
      const runner = super.runner(builder);
      const query = runner.query.bind(runner);
      runner.query = (obj: unknown) => {
        this.lineOfRunningBuilder = builder.__dbopsLine;
        return query(obj);
      };
      return runner;
    }
    async acquireConnection(): Promise<unknown> {
      return { __knexUid: 'dbops-recorder' };
    }
    async releaseConnection(): Promise<void> {}
    async query(_connection: unknown, queryParam: string | { sql: string; bindings?: unknown[] }): Promise<unknown> {
      const obj = typeof queryParam === 'string' ? { sql: queryParam } : queryParam;
      statements.push({ sql: inlineBindings(obj.sql, obj.bindings ?? [], (v) => this._escapeBinding(v)), line: this.lineOfRunningBuilder ?? callSite() });
      const rows = tableExistenceRows(obj.sql) ?? [];
      return { ...obj, response: { rows, rowCount: rows.length, command: 'SELECT' } };
    }
  }
  return RecordingClient as unknown as KnexClientClass;
}

function withLine(builder: Builder, callSite: () => number | undefined): Builder {
  builder.__dbopsLine = callSite();
  return builder;
}

/** `?` placeholders replaced by escaped values, `\?` kept as a literal question mark (Knex's own rule). */
function inlineBindings(sql: string, bindings: unknown[], escape: (value: unknown) => string): string {
  let index = 0;
  return sql.replace(/\\?\?/g, (match) => (match === '\\?' ? '?' : index < bindings.length ? escape(bindings[index++]) : match));
}
