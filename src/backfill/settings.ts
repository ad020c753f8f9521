import { UsageError } from '../core/errors';
import { CONFIG_FILE_NAME, configKey } from '../config/load';
import { formatDuration, parseDuration } from '../util/duration';
import { parseLagLimit } from './lag-limit';
import type { RunSettings } from './runner';

/** Throttle and timeout settings as the flags (or the config's `backfill` section) give them. */
export interface SettingsInput {
  batchSize?: number;
  maxBatchSize?: number;
  targetBatchTime?: string;
  maxRate?: number;
  sleep?: string;
  maxReplicaLag?: string;
  lockTimeout?: string;
  statementTimeout?: string;
  retries?: number;
}

export const DEFAULTS = {
  batchSize: 1000,
  maxBatchSize: 50_000,
  targetBatchTime: '100ms',
  sleep: '0',
  lockTimeout: '1s',
  statementTimeout: '30s',
  retries: 10,
} as const;

const CONFIG_KEYS = new Set(['batchSize', 'maxBatchSize', 'targetBatchTime', 'maxRate', 'sleep', 'maxReplicaLag', 'lockTimeout', 'statementTimeout', 'retries']);

/** Validates the config file's `backfill` section (durations as strings, counts as numbers). */
export function settingsFromConfig(section: Record<string, unknown> | undefined, configFile?: string): SettingsInput {
  if (section === undefined) return {};
  if (section === null || typeof section !== 'object' || Array.isArray(section)) throw new UsageError(`${configKey(configFile, 'backfill')} must be an object`, 'see docs/commands/backfill.md');
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(section)) {
    if (!CONFIG_KEYS.has(key)) throw new UsageError(`${configFile ?? CONFIG_FILE_NAME}: unknown key backfill.${key}`, `known keys: ${[...CONFIG_KEYS].join(', ')}`);
    const numeric = key === 'batchSize' || key === 'maxBatchSize' || key === 'maxRate' || key === 'retries';
    if (numeric ? typeof value !== 'number' : typeof value !== 'string') {
      throw new UsageError(`${configKey(configFile, `backfill.${key}`)} must be a ${numeric ? 'number' : 'string such as "1s"'}`, 'see docs/commands/backfill.md');
    }
    out[key] = value;
  }
  return out as SettingsInput;
}

/**
 * Flags win over the config, the config over the defaults; the lock timeout must respect
 * policy.maxLockTimeout. Errors name where a bad value came from: the flag, or the key in `configFile`.
 */
export function resolveSettings(flags: SettingsInput, config: SettingsInput, maxLockTimeoutMs: number, configFile?: string): RunSettings {
  const pick = <K extends keyof SettingsInput>(k: K): SettingsInput[K] => flags[k] ?? config[k];
  const source = (k: keyof SettingsInput, flag: string): string =>
    flags[k] === undefined && config[k] !== undefined ? configKey(configFile, `backfill.${k}`) : flag;
  const batchSize = positiveInt(pick('batchSize') ?? DEFAULTS.batchSize, source('batchSize', '--batch-size'));
  const maxBatchSize = positiveInt(pick('maxBatchSize') ?? DEFAULTS.maxBatchSize, source('maxBatchSize', '--max-batch-size'));
  const target = pick('targetBatchTime') ?? DEFAULTS.targetBatchTime;
  const targetMs = /^(off|0)$/i.test(target.trim()) ? null : parseDuration(target, source('targetBatchTime', '--target-batch-time'));
  const maxRate = pick('maxRate');
  if (maxRate !== undefined && !(maxRate > 0)) throw new UsageError(`${source('maxRate', '--max-rate')} must be above 0 rows/s`, 'e.g. --max-rate 5000');
  const lockTimeoutSource = source('lockTimeout', '--lock-timeout');
  const lockTimeoutMs = parseDuration(pick('lockTimeout') ?? DEFAULTS.lockTimeout, lockTimeoutSource);
  if (lockTimeoutMs <= 0 || lockTimeoutMs > maxLockTimeoutMs) {
    throw new UsageError(
      `${lockTimeoutSource} ${formatDuration(lockTimeoutMs)} is outside policy.maxLockTimeout (${formatDuration(maxLockTimeoutMs)})`,
      'use a lock timeout above 0 and at most policy.maxLockTimeout',
    );
  }
  const statementTimeoutSource = source('statementTimeout', '--statement-timeout');
  const statementTimeoutMs = parseDuration(pick('statementTimeout') ?? DEFAULTS.statementTimeout, statementTimeoutSource);
  if (statementTimeoutMs <= 0) throw new UsageError(`${statementTimeoutSource} must be above 0`, 'e.g. --statement-timeout 30s');
  const retries = pick('retries') ?? DEFAULTS.retries;
  if (!Number.isInteger(retries) || retries < 0) throw new UsageError(`${source('retries', '--retries')} must be a whole number ≥ 0`, 'e.g. --retries 10');
  const lag = pick('maxReplicaLag');
  const notices: string[] = [];
  // One batch never holds more than one second's worth of --max-rate: the first batch respects it too.
  const rateCap = maxRate === undefined ? Infinity : Math.max(1, Math.floor(maxRate));
  const max = Math.min(maxBatchSize, rateCap);
  if (batchSize > max) {
    notices.push(
      max === maxBatchSize
        ? `--batch-size ${batchSize} is above --max-batch-size ${maxBatchSize}: batches hold at most ${maxBatchSize} keys`
        : `--batch-size ${batchSize} is above one second's worth of --max-rate ${maxRate}: batches hold at most ${max} key${max === 1 ? '' : 's'}`,
    );
  }
  return {
    sizing: { start: Math.min(batchSize, max), targetMs, min: 1, max },
    notices,
    maxRate: maxRate ?? null,
    sleepMs: parseDuration(pick('sleep') ?? DEFAULTS.sleep, source('sleep', '--sleep')),
    lagLimit: lag === undefined ? null : parseLagLimit(lag, source('maxReplicaLag', '--max-replica-lag')),
    lockTimeoutMs,
    statementTimeoutMs,
    retries,
    pollMs: 250,
  };
}

function positiveInt(v: number, flag: string): number {
  if (!Number.isInteger(v) || v < 1) throw new UsageError(`${flag} must be a whole number ≥ 1, got ${v}`, `e.g. ${flag} 1000`);
  return v;
}
