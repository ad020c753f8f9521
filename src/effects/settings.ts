/** SET lock_timeout / statement_timeout / TimeZone (and set_config()) as the analyzer tracks them. */
import type { AnalysisContext, TimeoutSetting } from './context';
import type { SettingChange } from './types';

/* eslint-disable @typescript-eslint/no-explicit-any */
type AnyNode = any;

const TRACKED = new Set(['lock_timeout', 'statement_timeout', 'timezone', 'default_tablespace']);
/** Settings whose value is a name, not a duration. */
const TEXT_SETTINGS = new Set(['timezone', 'default_tablespace']);
const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** PostgreSQL's reading of a timeout value: a bare number is milliseconds. */
export function timeoutMs(raw: string): number | null {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$/i.exec(raw);
  if (!m) return null;
  return Number(m[1]) * UNIT_MS[(m[2] ?? 'ms').toLowerCase()];
}

function constText(node: AnyNode): string | undefined {
  // SET TIME ZONE INTERVAL '+02:00' HOUR TO MINUTE
  if (node?.TypeCast) return constText(node.TypeCast.arg);
  const c = node?.A_Const;
  if (!c) return undefined;
  if (c.sval) return c.sval.sval ?? '';
  if (c.ival) return String(c.ival.ival ?? 0);
  if (c.fval) return String(c.fval.fval);
  return undefined;
}

export function settingFromVariableSet(stmt: AnyNode): SettingChange | undefined {
  const name = String(stmt.name ?? '').toLowerCase();
  if (!TRACKED.has(name)) return undefined;
  const local = stmt.is_local === true;
  if (stmt.kind !== 'VAR_SET_VALUE') return { name, valueMs: null, raw: 'DEFAULT', local };
  const raw = constText(stmt.args?.[0]) ?? '';
  return { name, valueMs: TEXT_SETTINGS.has(name) ? null : timeoutMs(raw), raw, local };
}

/** SELECT set_config('lock_timeout', '2s', false) */
export function settingFromSelect(stmt: AnyNode): SettingChange | undefined {
  for (const t of stmt.targetList ?? []) {
    const call = t.ResTarget?.val?.FuncCall;
    const fn = call?.funcname?.[call.funcname.length - 1]?.String?.sval;
    if (fn !== 'set_config' || (call.args ?? []).length !== 3) continue;
    const name = constText(call.args[0])?.toLowerCase();
    const raw = constText(call.args[1]);
    if (!name || raw === undefined || !TRACKED.has(name)) continue;
    const isLocal = call.args[2]?.A_Const?.boolval?.boolval === true;
    return { name, valueMs: TEXT_SETTINGS.has(name) ? null : timeoutMs(raw), raw, local: isLocal };
  }
  return undefined;
}

export function applySetting(ctx: AnalysisContext, change: SettingChange): void {
  // SET LOCAL outside a transaction block has no effect (PostgreSQL warns and ignores it).
  if (change.local && !ctx.transaction.open) return;
  if (change.name === 'default_tablespace') {
    // pg_dump writes SET default_tablespace = fast before each table it keeps there, '' after.
    ctx.defaultTablespace = change.raw === '' || change.raw === 'DEFAULT' ? null : change.raw;
    return;
  }
  if (change.name === 'timezone') {
    // DEFAULT, RESET and TIME ZONE LOCAL go back to the server's zone, known only when configured.
    const zone = change.raw === 'DEFAULT' ? ctx.serverTimeZone : change.raw;
    ctx.timeZone = change.local ? { ...ctx.timeZone, local: zone } : { session: zone };
    return;
  }
  const current = change.name === 'lock_timeout' ? ctx.lockTimeout : ctx.statementTimeout;
  const next: TimeoutSetting = change.local ? { ...current, local: change.valueMs } : { session: change.valueMs };
  if (change.name === 'lock_timeout') ctx.lockTimeout = next;
  else ctx.statementTimeout = next;
}

/**
 * Whether a TimeZone value is UTC in PostgreSQL's sense for timestamp → timestamptz (PG 12+):
 * the zone has one fixed offset, and it is zero (pg_get_timezone_offset). 'utc': yes; 'other':
 * a zone with another or a changing offset; undefined: dbops cannot tell.
 */
export function timeZoneKind(zone: string): 'utc' | 'other' | undefined {
  const z = zone.trim().toLowerCase();
  if (UTC_ZONES.has(z) || /^[+-]?0+(\.0+)?$/.test(z) || /^[+-]?0{1,2}(:00){1,2}$/.test(z)) return 'utc';
  if (/^[+-]?\d+(\.\d+)?$/.test(z) || /^[+-]?\d{1,2}(:\d\d){1,2}$/.test(z)) return 'other';
  // Region/City names: every one of them but the UTC aliases has had another offset at some time.
  if (/^(africa|america|antarctica|asia|atlantic|australia|europe|indian|pacific|us|canada|brazil|mexico|chile)\/[a-z_\-/]+$/.test(z)) return 'other';
  if (/^etc\/gmt[+-]([1-9]|1[0-4])$/.test(z)) return 'other';
  return undefined;
}

/** Zones that link to Etc/UTC or Etc/GMT in the tz database (PostgreSQL matches names case-insensitively). */
const UTC_ZONES = new Set([
  'utc', 'etc/utc', 'uct', 'etc/uct', 'gmt', 'etc/gmt', 'gmt0', 'etc/gmt0', 'gmt+0', 'etc/gmt+0', 'gmt-0', 'etc/gmt-0',
  'greenwich', 'etc/greenwich', 'universal', 'etc/universal', 'zulu', 'etc/zulu',
]);
