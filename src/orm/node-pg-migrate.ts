import type { OrmMigrationSql, RecorderInput } from './types';
import { OrmEvaluationError } from './types';

export async function recordNodePgMigration(input: RecorderInput): Promise<OrmMigrationSql> {
  throw new OrmEvaluationError(`node-pg-migrate is not supported yet (${input.file})`, 'lint the SQL instead');
}
