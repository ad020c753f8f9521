import type { Client } from 'pg';
import { readSettingLayers } from './layers';
import type { TimeoutPolicy } from './policy';
import { readDatabases, readLoginRoles } from './queries';
import { effectiveValue, TIMEOUT_SETTINGS, type EffectiveValue, type SettingLayers, type TimeoutSetting } from './settings';

export interface EffectiveRow {
  /** undefined on the server-default and database rows. */
  role?: string;
  /** undefined on the server-default and role-wide rows. */
  database?: string;
  superuser?: boolean;
  exempt?: boolean;
  values: Record<TimeoutSetting, EffectiveValue>;
}

export interface Violation {
  role: string;
  database: string;
  setting: TimeoutSetting;
  /** Effective milliseconds; 0 = disabled. */
  actualMs: number;
  limitMs: number;
  level: EffectiveValue['level'];
}

export interface TimeoutCheckResult {
  server: EffectiveRow;
  databases: EffectiveRow[];
  /** One row per login role and connectable database: what a new session there starts with. */
  sessions: EffectiveRow[];
  violations: Violation[];
  policy: TimeoutPolicy;
}

function valuesFor(layers: SettingLayers, role?: string, database?: string): Record<TimeoutSetting, EffectiveValue> {
  return Object.fromEntries(TIMEOUT_SETTINGS.map((s) => [s, effectiveValue(layers, s, role, database)])) as Record<TimeoutSetting, EffectiveValue>;
}

export async function checkTimeouts(client: Client, policy: TimeoutPolicy): Promise<TimeoutCheckResult> {
  const layers = await readSettingLayers(client);
  const roles = await readLoginRoles(client);
  const databases = await readDatabases(client);
  return evaluate(layers, roles, databases, policy);
}

/** Pure part of the check: effective values per role × database, and the policy's verdict. */
export function evaluate(
  layers: SettingLayers,
  roles: ReadonlyArray<{ name: string; superuser: boolean }>,
  databases: readonly string[],
  policy: TimeoutPolicy,
): TimeoutCheckResult {
  const exempt = new Set(policy.exemptRoles);
  const sessions: EffectiveRow[] = [];
  const violations: Violation[] = [];
  for (const role of roles) {
    for (const database of databases) {
      const row: EffectiveRow = { role: role.name, database, superuser: role.superuser, exempt: exempt.has(role.name), values: valuesFor(layers, role.name, database) };
      sessions.push(row);
      if (row.exempt) continue;
      for (const [setting, limitMs] of Object.entries(policy.limits) as [TimeoutSetting, number][]) {
        const v = row.values[setting];
        if (v.ms === 0 || v.ms > limitMs) violations.push({ role: role.name, database, setting, actualMs: v.ms, limitMs, level: v.level });
      }
    }
  }
  return {
    server: { values: valuesFor(layers) },
    databases: databases.map((database) => ({ database, values: valuesFor(layers, undefined, database) })),
    sessions,
    violations,
    policy,
  };
}
