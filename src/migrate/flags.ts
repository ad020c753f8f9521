import { Flags } from '@oclif/core';

/** Flags every `dbops migrate` subcommand shares: where the database and the migrations are. */
export const migrateConnectionFlags = {
  url: Flags.string({ description: 'database URL or conninfo (default: database.url in config, DATABASE_URL, PG* variables); connect directly to the primary' }),
  dir: Flags.string({ description: 'migrations directory (default: migrations.dir in config, else ./migrations)' }),
};
