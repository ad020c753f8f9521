import { UsageError } from '../core/errors';
import { configKey } from '../config/load';
import type { DbopsConfig } from '../config/schema';
import type { Thresholds } from './aggregate';

/** join_collapse_limit / from_collapse_limit and geqo_threshold defaults. */
export const DEFAULT_THRESHOLDS: Thresholds = { warning: 8, error: 12 };

/** Flags beat audit.maxJoins in the config (`configFile`, named in errors), which beats the defaults. */
export function resolveThresholds(config: DbopsConfig, flags: { warning?: number; error?: number }, configFile?: string): Thresholds {
  const section = config.audit?.maxJoins ?? {};
  for (const key of ['warning', 'error'] as const) {
    const v = section[key];
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) {
      throw new UsageError(`${configKey(configFile, `audit.maxJoins.${key}`)} must be a whole number of tables ≥ 1, got ${JSON.stringify(v)}`, 'e.g. "audit": { "maxJoins": { "warning": 8, "error": 12 } }');
    }
  }
  const t = {
    warning: flags.warning ?? section.warning ?? DEFAULT_THRESHOLDS.warning,
    error: flags.error ?? section.error ?? DEFAULT_THRESHOLDS.error,
  };
  if (t.error <= t.warning) {
    throw new UsageError(`the error threshold (${t.error} tables) must be above the warning threshold (${t.warning})`, 'e.g. --max-joins 8 --max-joins-error 12');
  }
  return t;
}
