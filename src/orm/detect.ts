import { OrmEvaluationError, type OrmTool } from './types';

/**
 * Which tool a migration module belongs to, from what it exports and what the project has
 * installed:
 *   a class (or an exported class) with an up method         TypeORM
 *   up(queryInterface, Sequelize), or an object with up/down  Sequelize (two parameters)
 *   up(pgm) / up(knex)                                         node-pg-migrate or Knex: the one the project has;
 *                                                              with both, the parameter's name decides
 * `lint.migrationTool` in dbops.config.json overrides the guess.
 */
export function detectTool(exports: Record<string, unknown>, installed: (pkg: OrmTool) => boolean, configured?: OrmTool): OrmTool {
  if (configured) return configured;
  if (typeormClass(exports)) return 'typeorm';
  const up = upFunction(exports);
  if (!up) {
    throw new OrmEvaluationError('exports no up migration (no up function, no migration class)', 'lint only migration files; move helpers out of the migrations directory');
  }
  const params = parameterNames(up);
  if (params.length >= 2 && installed('sequelize')) return 'sequelize';
  const candidates = (['knex', 'node-pg-migrate'] as const).filter(installed);
  if (candidates.length === 1) return candidates[0];
  if (candidates.length === 2) return /^(pgm|migrationBuilder|builder)$/i.test(params[0] ?? '') ? 'node-pg-migrate' : 'knex';
  if (installed('sequelize')) return 'sequelize';
  throw new OrmEvaluationError(
    'belongs to no installed migration tool: the project has none of knex, node-pg-migrate, sequelize or typeorm installed',
    'install the project\'s dependencies (npm ci), or set lint.migrationTool in dbops.config.json',
  );
}

export type MigrationClass = new () => { up(queryRunner: unknown): Promise<unknown>; name?: string; transaction?: boolean };

/** The migration class of a TypeORM file: the default export or the first exported class with an `up` method. */
export function typeormClass(exports: Record<string, unknown>): MigrationClass | undefined {
  const candidates = typeof exports === 'function' ? [exports as unknown] : Object.values(exports);
  return candidates.find(
    (value): value is MigrationClass => typeof value === 'function' && /^class\b/.test(Function.prototype.toString.call(value)) && typeof (value as { prototype?: { up?: unknown } }).prototype?.up === 'function',
  );
}

export function upFunction(exports: Record<string, unknown>): ((...args: unknown[]) => unknown) | undefined {
  const holder = (exports.up === undefined && exports.default && typeof exports.default === 'object' ? exports.default : exports) as Record<string, unknown>;
  return typeof holder.up === 'function' ? (holder.up as (...args: unknown[]) => unknown) : undefined;
}

/** Parameter names as written (`async up(queryInterface, Sequelize)`, `(pgm) =>`, `knex =>`). */
function parameterNames(fn: (...args: unknown[]) => unknown): string[] {
  const text = Function.prototype.toString.call(fn);
  const list = /^[^(=]*\(([^)]*)\)/.exec(text)?.[1] ?? /^(?:async\s+)?([\w$]+)\s*=>/.exec(text)?.[1] ?? '';
  return list
    .split(',')
    .map((p) => p.trim().replace(/[:=].*$/s, '').trim())
    .filter(Boolean);
}
