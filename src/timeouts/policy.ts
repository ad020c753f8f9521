import { UsageError } from '../core/errors';
import { configKey } from '../config/load';
import type { DbopsConfig } from '../config/schema';
import { formatDuration, parseDuration } from '../util/duration';
import type { TimeoutSetting } from './settings';

/**
 * The timeout policy: for each setting, the longest value a login role may start its sessions
 * with. A disabled timeout (0) is longer than any limit, so it violates the policy too.
 */
export interface TimeoutPolicy {
  limits: Partial<Record<TimeoutSetting, number>>;
  exemptRoles: string[];
}

/** Config keys under timeouts.policy and the setting each one limits. */
export const POLICY_KEYS = {
  idleInTransaction: 'idle_in_transaction_session_timeout',
  statement: 'statement_timeout',
  lock: 'lock_timeout',
  idleSession: 'idle_session_timeout',
} as const satisfies Record<string, TimeoutSetting>;

export type PolicyKey = keyof typeof POLICY_KEYS;

/** 2^31-1 ms: the largest value PostgreSQL accepts for these settings. */
export const MAX_TIMEOUT_MS = 2_147_483_647;

/** Parses a timeout given by the user: a positive whole number of milliseconds PostgreSQL accepts. */
export function parseTimeoutLimit(text: string, what: string): number {
  const ms = parseDuration(text, what);
  if (!Number.isInteger(ms) || ms <= 0 || ms > MAX_TIMEOUT_MS) {
    throw new UsageError(`${what} must be between 1ms and ${MAX_TIMEOUT_MS}ms, got "${text}"`, '0 disables a timeout and cannot be a limit; use e.g. 60s or 5min');
  }
  return ms;
}

/** Flags override the config file (`configFile`, named in errors), limit by limit; exempt roles from both are combined. */
export function resolvePolicy(
  config: DbopsConfig,
  flags: Partial<Record<PolicyKey, string>>,
  exemptFromFlags: readonly string[],
  configFile?: string,
): TimeoutPolicy {
  const section = config.timeouts?.policy ?? {};
  const limits: TimeoutPolicy['limits'] = {};
  for (const [key, setting] of Object.entries(POLICY_KEYS) as [PolicyKey, TimeoutSetting][]) {
    const fromFlag = flags[key];
    const fromConfig = section[key];
    if (fromFlag !== undefined) limits[setting] = parseTimeoutLimit(fromFlag, `--max-${flagSuffix(key)}`);
    else if (fromConfig !== undefined) {
      if (typeof fromConfig !== 'string') {
        throw new UsageError(`${configKey(configFile, `timeouts.policy.${key}`)} must be a duration string, got ${JSON.stringify(fromConfig)}`, 'e.g. "60s"');
      }
      limits[setting] = parseTimeoutLimit(fromConfig, configKey(configFile, `timeouts.policy.${key}`));
    }
  }
  const exempt = section.exemptRoles ?? [];
  if (!Array.isArray(exempt) || exempt.some((r) => typeof r !== 'string')) {
    throw new UsageError(`${configKey(configFile, 'timeouts.policy.exemptRoles')} must be a list of role names`, 'e.g. "exemptRoles": ["etl", "postgres"]');
  }
  return { limits, exemptRoles: [...new Set([...exempt, ...exemptFromFlags])] };
}

/** idleInTransaction → idle-in-transaction */
export function flagSuffix(key: PolicyKey): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export function describeLimit(setting: TimeoutSetting, ms: number): string {
  return `${setting} ≤ ${formatDuration(ms)}`;
}
