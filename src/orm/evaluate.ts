import * as path from 'node:path';
import { callSiteReader } from './call-site';
import { detectTool } from './detect';
import { loadMigrationModule } from './load-module';
import { recordUntilSettled } from './settle';
import { OrmEvaluationError, type OrmMigrationSql, type OrmTool, type RecorderInput } from './types';

/**
 * The SQL a Knex, Sequelize, node-pg-migrate or TypeORM migration's `up` sends, recorded by
 * running it against the tool's own SQL generation with a client that never connects. The tool
 * is loaded from the user's project (dbops does not depend on any of them). Throws
 * OrmEvaluationError (what went wrong and the fix) when the file cannot be evaluated.
 */
export async function evaluateOrmMigration(migrationFile: string, options: { tool?: OrmTool } = {}): Promise<OrmMigrationSql> {
  const file = path.resolve(migrationFile);
  const loaded = loadMigrationModule(file);
  const installed = (pkg: OrmTool) => {
    try {
      loaded.projectRequire.resolve(pkg);
      return true;
    } catch {
      return false;
    }
  };
  const tool = detectTool(loaded.exports, installed, options.tool);
  if (!installed(tool)) {
    throw new OrmEvaluationError(`is a ${tool} migration, but ${tool} is not installed in its project`, 'install the project\'s dependencies (npm ci) before linting its migrations');
  }
  const input: RecorderInput = { exports: loaded.exports, file, projectRequire: loaded.projectRequire, callSite: callSiteReader(file, loaded.mapLine) };
  try {
    return await recordUntilSettled(() => recorderFor(tool)(input));
  } catch (err) {
    if (err instanceof OrmEvaluationError) throw err;
    throw new OrmEvaluationError(
      `failed while dbops recorded the SQL ${tool} sends: ${(err as Error)?.message?.split('\n')[0] ?? String(err)}`,
      'a migration that reads data or needs a live connection cannot be evaluated offline: lint the SQL it sends instead (e.g. from the tool\'s dry run)',
    );
  }
}

function recorderFor(tool: OrmTool): (input: RecorderInput) => Promise<OrmMigrationSql> {
  switch (tool) {
    case 'knex':
      return (require('./knex') as typeof import('./knex')).recordKnexMigration;
    case 'sequelize':
      return (require('./sequelize') as typeof import('./sequelize')).recordSequelizeMigration;
    case 'node-pg-migrate':
      return (require('./node-pg-migrate') as typeof import('./node-pg-migrate')).recordNodePgMigration;
    case 'typeorm':
      return (require('./typeorm') as typeof import('./typeorm')).recordTypeormMigration;
  }
}

/** The recorded statements as one SQL text, each statement on its own lines, with where each one starts. */
export function sqlText(migration: OrmMigrationSql): { text: string; starts: Array<{ offset: number; line?: number }> } {
  const parts: Array<{ sql: string; line?: number }> = [];
  if (migration.transaction) parts.push({ sql: 'BEGIN' });
  for (const s of migration.statements) parts.push({ sql: s.sql.trim().replace(/;\s*$/, ''), line: s.line });
  if (migration.transaction) parts.push({ sql: 'COMMIT' });
  let text = '';
  const starts: Array<{ offset: number; line?: number }> = [];
  for (const part of parts) {
    starts.push({ offset: text.length, line: part.line });
    text += `${part.sql};\n\n`;
  }
  return { text, starts };
}
