/** The migration tools whose JavaScript/TypeScript migrations dbops evaluates. */
export const ORM_TOOLS = ['knex', 'sequelize', 'node-pg-migrate', 'typeorm'] as const;
export type OrmTool = (typeof ORM_TOOLS)[number];

/** One statement a migration's `up` sent, and the line of the migration file that produced it (when the stack shows it). */
export interface RecordedStatement {
  sql: string;
  line?: number;
}

/** What evaluating a migration file gave: the SQL its `up` sends, in order, as the tool would send it. */
export interface OrmMigrationSql {
  tool: OrmTool;
  statements: RecordedStatement[];
  /** The tool runs this migration inside a transaction (BEGIN … COMMIT around the statements). */
  transaction: boolean;
  /** The tool's own ordering key for this migration when it is not the file name (TypeORM: the class's timestamp). */
  orderKey?: string;
}

/** A migration that could not be evaluated: why, and what to do about it. */
export class OrmEvaluationError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

/** What a recorder is given: the loaded module's exports and where the migration lives. */
export interface RecorderInput {
  exports: Record<string, unknown>;
  file: string;
  /** require() as seen from the migration file: the user's own packages. */
  projectRequire: NodeJS.Require;
  /** The line in the migration file for a stack trace taken while its `up` runs. */
  callSite: () => number | undefined;
}
