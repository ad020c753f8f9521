import type { OrmMigrationSql, RecorderInput } from './types';
import { OrmEvaluationError } from './types';

export async function recordTypeormMigration(input: RecorderInput): Promise<OrmMigrationSql> {
  throw new OrmEvaluationError(`typeorm is not supported yet (${input.file})`, 'lint the SQL instead');
}
