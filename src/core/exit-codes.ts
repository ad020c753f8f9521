/**
 * Exit codes shared by every command. Reports use the monitoring convention instead
 * (see src/reports and docs/exit-codes.md); everything else uses these.
 */
export const EXIT = {
  ok: 0,
  /** Findings or violations at error level (lint, audit, timeouts check). */
  findings: 1,
  /** Bad flags, unreadable input, SQL that does not parse, invalid configuration. */
  usage: 2,
  /** The database could not be reached or refused us (connection, authentication, permission). */
  database: 3,
  /** The operation was attempted and failed (e.g. a migration that kept hitting its lock timeout). */
  failed: 4,
  /** Interrupted by SIGINT/SIGTERM after state was saved; rerun to resume. */
  interrupted: 130,
} as const;

export type ExitCode = number;
