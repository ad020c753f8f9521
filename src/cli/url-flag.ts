import { Flags } from '@oclif/core';

/** --url for commands that talk to one server; the fallbacks are resolved in src/db/connection-options.ts. */
export const urlFlag = (purpose = '') =>
  Flags.string({ description: `connection URL or conninfo${purpose} (default: database.url in the config, DATABASE_URL, PG* variables)` });
