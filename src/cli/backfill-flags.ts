import type { FlagSpec } from './fast-path';
import { HUMAN_FORMAT, HUMAN_FORMAT_ALIASES, TEXT_OR_JSON } from '../output/formats';

/**
 * The flags of `dbops backfill run`, as plain data: the oclif command builds its flags from these,
 * and the start-up fast path (fast-backfill.ts) parses plain invocations with them without loading
 * oclif.
 */
export const BACKFILL_RUN_FLAGS = {
  url: { type: 'option', description: 'the primary to backfill (default: config database.url, DATABASE_URL, PG*)' },
  table: { type: 'option', description: 'table to update (schema.table)', required: true },
  set: { type: 'option', description: 'SQL assignment(s), e.g. "total = price * qty" (an operator-supplied expression)', exclusive: ['sql'] },
  where: { type: 'option', description: 'SQL condition limiting the rows updated (an operator-supplied expression)' },
  sql: { type: 'option', description: "file with one UPDATE using $1/$2 as the batch's first/last key (see docs/commands/backfill.md)" },
  key: { type: 'option', description: 'unique NOT NULL indexed column(s) to walk, comma-separated (default: the primary key)' },
  name: { type: 'option', description: 'name of this backfill in dbops.backfills (default: schema.table)' },
  'batch-size': { type: 'integer', description: 'rows in the first batch (default 1000)' },
  'max-batch-size': { type: 'integer', description: 'upper bound for the adaptive batch size (default 50000)' },
  'target-batch-time': { type: 'option', description: 'adapt the batch size so a batch takes about this long; "off" keeps it fixed (default 100ms)' },
  'max-rate': { type: 'integer', description: 'at most this many rows per second' },
  sleep: { type: 'option', description: 'pause between batches, e.g. 50ms' },
  'max-replica-lag': { type: 'option', description: 'pause while a replica is behind by more than this: seconds and/or bytes, e.g. 1s, 64MB or 2s,64MB' },
  replica: { type: 'option', description: "replica to watch for --max-replica-lag, NAME=URL (repeatable; default: config topology, else the primary's standbys)", multiple: true },
  'lock-timeout': { type: 'option', description: 'lock_timeout per batch (default 1s, at most policy.maxLockTimeout)' },
  'statement-timeout': { type: 'option', description: 'statement_timeout per batch (default 30s)' },
  retries: { type: 'integer', description: 'retries of one batch on lock timeouts, deadlocks, serialization failures (default 10)' },
  // The old names of the human format are accepted too; runBackfillCommand reads them as text.
  format: {
    type: 'option',
    description: 'progress output; json: one JSON object per line',
    options: [...TEXT_OR_JSON, ...HUMAN_FORMAT_ALIASES],
    helpValue: TEXT_OR_JSON.join('|'),
    default: HUMAN_FORMAT,
  },
  'dry-run': { type: 'boolean', description: 'show the estimated rows, the batch SQL and the first batches; write nothing' },
} as const satisfies Record<string, FlagSpec>;
