import { parseSettingMs } from '../util/duration';

/** The session timeouts dbops checks and enforces. */
export const TIMEOUT_SETTINGS = [
  'idle_in_transaction_session_timeout',
  'statement_timeout',
  'lock_timeout',
  'idle_session_timeout',
] as const;

export type TimeoutSetting = (typeof TIMEOUT_SETTINGS)[number];

/** Where an effective value comes from, most specific first (PostgreSQL's precedence). */
export type SettingLevel = 'role in database' | 'role' | 'database' | 'server';

export interface EffectiveValue {
  /** Milliseconds; 0 means disabled. */
  ms: number;
  level: SettingLevel;
}

/** Values set at one level (ALTER ROLE/DATABASE … SET), in milliseconds. */
export type LevelValues = Partial<Record<TimeoutSetting, number>>;

export interface SettingLayers {
  server: Record<TimeoutSetting, number>;
  /** Keyed by role, by database, and by `role\u0000database`. */
  roles: Map<string, LevelValues>;
  databases: Map<string, LevelValues>;
  roleInDatabase: Map<string, LevelValues>;
}

export const roleDbKey = (role: string, database: string): string => `${role}\u0000${database}`;

/**
 * The value a new session of `role` in `database` starts with: role+database beats role beats
 * database beats the server's configuration. (A client can still SET its own.)
 */
export function effectiveValue(layers: SettingLayers, setting: TimeoutSetting, role?: string, database?: string): EffectiveValue {
  if (role !== undefined && database !== undefined) {
    const v = layers.roleInDatabase.get(roleDbKey(role, database))?.[setting];
    if (v !== undefined) return { ms: v, level: 'role in database' };
  }
  if (role !== undefined) {
    const v = layers.roles.get(role)?.[setting];
    if (v !== undefined) return { ms: v, level: 'role' };
  }
  if (database !== undefined) {
    const v = layers.databases.get(database)?.[setting];
    if (v !== undefined) return { ms: v, level: 'database' };
  }
  return { ms: layers.server[setting], level: 'server' };
}

/**
 * Reads the timeout settings out of a pg_db_role_setting.setconfig array (`name=value`
 * strings as PostgreSQL stores them: `60s`, `1min`, `'5 s'` or plain milliseconds).
 */
export function timeoutsFromConfig(config: readonly string[] | null): LevelValues {
  const out: LevelValues = {};
  for (const entry of config ?? []) {
    const eq = entry.indexOf('=');
    if (eq < 0) continue;
    const name = entry.slice(0, eq).trim().toLowerCase();
    if (!(TIMEOUT_SETTINGS as readonly string[]).includes(name)) continue;
    out[name as TimeoutSetting] = settingValueMs(entry.slice(eq + 1));
  }
  return out;
}

/** A stored GUC value in milliseconds; PostgreSQL rounds fractional milliseconds. */
export function settingValueMs(raw: string): number {
  const value = raw.trim().replace(/^'(.*)'$/, '$1');
  return Math.round(parseSettingMs(value));
}
