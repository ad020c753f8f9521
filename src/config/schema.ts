/**
 * The shape of dbops.config.json. Every section is optional; each feature validates the values
 * of its own section where it reads them, the loader checks the overall shape.
 */
export type RuleSeverityConfig = 'off' | 'warning' | 'error';

/** One replica of the fleet description (`topology.replicas`). */
export interface NodeConfig {
  name: string;
  /** Omitted for a replica dbops cannot reach: it is then known only from its upstream's pg_stat_replication. */
  url?: string;
  /** Free-form labels shown beside the node and in Prometheus output. */
  region?: string;
  tier?: string;
  /** Name of the node it streams from ("primary" or another replica's name), when known. */
  upstream?: string;
}

export interface DbopsConfig {
  /** PostgreSQL major version of the target server (11–18). */
  pgVersion?: number;
  /** Connection for commands that talk to one server (libpq URL; DATABASE_URL/PG* otherwise). */
  database?: { url?: string };
  policy?: {
    /** Longest lock_timeout a migration may use: a duration, default "5s". */
    maxLockTimeout?: string;
  };
  lint?: {
    rules?: Record<string, RuleSeverityConfig>;
    /** Rule options by rule id. */
    options?: Record<string, Record<string, unknown>>;
    /** The migration runner wraps each file in one transaction (Rails, Django, Flyway, sqlx). */
    fileTransaction?: boolean;
    /**
     * Which tables count as new (empty, exempt): "run" (default) — created earlier in any file
     * linted in the same run; "file" — only those created earlier in the same file.
     */
    newTables?: 'run' | 'file';
    /** A schema dump (e.g. `pg_dump --schema-only`) of production: its tables exist and their column types are known. */
    schemaFile?: string;
    /** The server's TimeZone (`SHOW TimeZone`): decides whether timestamp ↔ timestamptz rewrites when a migration sets none. */
    serverTimeZone?: string;
    /** The tool of JavaScript/TypeScript migrations when dbops guesses wrong: knex, sequelize, node-pg-migrate or typeorm. */
    migrationTool?: 'knex' | 'sequelize' | 'node-pg-migrate' | 'typeorm';
    /** A stats snapshot (dbops stats snapshot): heavy findings say how long the lock would be held. */
    statsFile?: string;
    /** With a stats file: heavy findings on tables smaller than warningBelow (e.g. "10MB") are warnings. */
    sizeThresholds?: { warningBelow?: string };
  };
  migrations?: { dir?: string; statementTimeout?: string; retries?: number; lockTimeoutStart?: string; lockWaitBudget?: string };
  topology?: { primary?: string; replicas?: NodeConfig[]; pgbouncer?: string[] };
  backfill?: Record<string, unknown>;
  audit?: { maxJoins?: { warning?: number; error?: number } };
  timeouts?: {
    policy?: {
      idleInTransaction?: string;
      statement?: string;
      lock?: string;
      idleSession?: string;
      exemptRoles?: string[];
    };
  };
  reports?: Record<string, unknown>;
}

export const TOP_LEVEL_KEYS: ReadonlyArray<keyof DbopsConfig | '$schema'> = [
  '$schema',
  'pgVersion',
  'database',
  'policy',
  'lint',
  'migrations',
  'topology',
  'backfill',
  'audit',
  'timeouts',
  'reports',
];

export const DEFAULT_PG_VERSION = 15;
export const DEFAULT_MAX_LOCK_TIMEOUT = '5s';
