import * as path from 'node:path';
import { UsageError } from '../core/errors';
import type { LoadedConfig } from '../config/load';
import { formatDuration, parseDuration } from '../util/duration';

export interface MigrateFlags {
  url?: string;
  dir?: string;
  'lock-timeout'?: string;
  'statement-timeout'?: string;
  retries?: number;
  'retry-delay'?: string;
  'lock-timeout-start'?: string;
  'lock-wait-budget'?: string;
  'watch-holders'?: boolean;
}

/** Everything a run needs, resolved from flags, then dbops.config.json, then defaults. */
export interface MigrateSettings {
  url?: string;
  dir: string;
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  /** For the runner's own session: it is never idle in a transaction for more than a round trip. */
  idleInTransactionTimeoutMs: number;
  retries: number;
  /** First backoff delay; doubled per retry, with jitter, capped at maxRetryDelayMs. */
  retryDelayMs: number;
  maxRetryDelayMs: number;
  pgVersion: number;
  maxLockTimeoutMs: number;
  /** The first attempt's lock_timeout; later attempts double it (with jitter) up to lockTimeoutMs, the cap. */
  lockTimeoutStartMs: number;
  /** How long one unit (a transactional file, or one statement) may wait for its locks in all, attempts included. */
  lockWaitBudgetMs: number;
  /** Wait, without queueing, while a session holds a conflicting lock; false: attempt at once (queueing). */
  watchHolders: boolean;
}

export const DEFAULT_STATEMENT_TIMEOUT = '15min';
export const DEFAULT_RETRIES = 5;
export const DEFAULT_RETRY_DELAY = '200ms';
export const DEFAULT_LOCK_TIMEOUT_START = '100ms';
export const DEFAULT_LOCK_WAIT_BUDGET = '2min';
const IDLE_IN_TRANSACTION_TIMEOUT_MS = 30_000;
const MAX_RETRY_DELAY_MS = 30_000;

export function resolveMigrateSettings(loaded: LoadedConfig, flags: MigrateFlags, cwd = process.cwd()): MigrateSettings {
  const section = loaded.config.migrations ?? {};
  const where = loaded.path ?? 'dbops.config.json';
  const dir = flags.dir ? path.resolve(cwd, flags.dir) : path.resolve(loaded.baseDir, section.dir ?? 'migrations');

  const policy = loaded.maxLockTimeoutMs;
  const lockTimeoutMs = flags['lock-timeout'] !== undefined ? parseDuration(flags['lock-timeout'], '--lock-timeout') : policy;
  if (lockTimeoutMs < 1) {
    // PostgreSQL counts whole milliseconds: anything below 1 ms would become 0, "wait forever".
    throw new UsageError('--lock-timeout must be at least 1ms (0 would wait for locks forever)', `use a value up to the policy maximum ${formatDuration(policy)}`);
  }
  if (lockTimeoutMs > policy) {
    throw new UsageError(
      `--lock-timeout ${formatDuration(lockTimeoutMs)} is above the policy maximum ${formatDuration(policy)}`,
      `--lock-timeout may only lower it; to allow longer lock waits raise policy.maxLockTimeout in ${where}`,
    );
  }

  const statementTimeoutMs = parseDuration(
    flags['statement-timeout'] ?? section.statementTimeout ?? DEFAULT_STATEMENT_TIMEOUT,
    flags['statement-timeout'] !== undefined ? '--statement-timeout' : `${where}: migrations.statementTimeout`,
  );
  if (statementTimeoutMs !== 0 && statementTimeoutMs <= lockTimeoutMs) {
    throw new UsageError(
      `the statement timeout ${formatDuration(statementTimeoutMs)} must be longer than the lock timeout ${formatDuration(lockTimeoutMs)}`,
      'otherwise a lock wait ends as a statement timeout, which is not retried',
    );
  }

  const retries = flags.retries ?? section.retries ?? DEFAULT_RETRIES;
  if (!Number.isInteger(retries) || retries < 0 || retries > 100) {
    const source = flags.retries !== undefined ? '--retries' : `${where}: migrations.retries`;
    throw new UsageError(`${source} must be a whole number from 0 to 100, got ${JSON.stringify(retries)}`, 'use e.g. 5');
  }
  const retryDelayMs = parseDuration(flags['retry-delay'] ?? DEFAULT_RETRY_DELAY, '--retry-delay');
  const startSource = flags['lock-timeout-start'] !== undefined ? '--lock-timeout-start' : `${where}: migrations.lockTimeoutStart`;
  const lockTimeoutStartMs = parseDuration(flags['lock-timeout-start'] ?? section.lockTimeoutStart ?? DEFAULT_LOCK_TIMEOUT_START, startSource);
  if (lockTimeoutStartMs < 1) throw new UsageError(`${startSource} must be at least 1ms`, 'the first attempt needs a lock timeout; 100ms is a good start');
  const budgetSource = flags['lock-wait-budget'] !== undefined ? '--lock-wait-budget' : `${where}: migrations.lockWaitBudget`;
  const lockWaitBudgetMs = parseDuration(flags['lock-wait-budget'] ?? section.lockWaitBudget ?? DEFAULT_LOCK_WAIT_BUDGET, budgetSource);
  if (lockWaitBudgetMs < 1) throw new UsageError(`${budgetSource} must be at least 1ms`, 'it bounds how long a migration waits for its locks in all');

  return {
    url: flags.url ?? loaded.config.database?.url,
    dir,
    lockTimeoutMs,
    statementTimeoutMs,
    idleInTransactionTimeoutMs: IDLE_IN_TRANSACTION_TIMEOUT_MS,
    retries,
    retryDelayMs,
    maxRetryDelayMs: Math.max(MAX_RETRY_DELAY_MS, retryDelayMs),
    pgVersion: loaded.pgVersion,
    maxLockTimeoutMs: policy,
    lockTimeoutStartMs: Math.min(lockTimeoutStartMs, lockTimeoutMs),
    lockWaitBudgetMs,
    watchHolders: flags['watch-holders'] ?? true,
  };
}

/** Exponential backoff with "equal jitter": half the delay fixed, half random, so runners spread out. */
export function backoffDelayMs(retry: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const full = Math.min(capMs, baseMs * 2 ** (retry - 1));
  return Math.round(full / 2 + random() * (full / 2));
}
