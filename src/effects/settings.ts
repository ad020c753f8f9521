/** SET lock_timeout / statement_timeout (and set_config()) as the analyzer tracks them. */
import type { AnalysisContext, TimeoutSetting } from './context';
import type { SettingChange } from './types';

/* eslint-disable @typescript-eslint/no-explicit-any */
type AnyNode = any;

const TRACKED = new Set(['lock_timeout', 'statement_timeout']);
const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** PostgreSQL's reading of a timeout value: a bare number is milliseconds. */
export function timeoutMs(raw: string): number | null {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$/i.exec(raw);
  if (!m) return null;
  return Number(m[1]) * UNIT_MS[(m[2] ?? 'ms').toLowerCase()];
}

function constText(node: AnyNode): string | undefined {
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
  return { name, valueMs: timeoutMs(raw), raw, local };
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
    return { name, valueMs: timeoutMs(raw), raw, local: isLocal };
  }
  return undefined;
}

export function applySetting(ctx: AnalysisContext, change: SettingChange): void {
  // SET LOCAL outside a transaction block has no effect (PostgreSQL warns and ignores it).
  if (change.local && !ctx.transaction.open) return;
  const current = change.name === 'lock_timeout' ? ctx.lockTimeout : ctx.statementTimeout;
  const next: TimeoutSetting = change.local ? { ...current, local: change.valueMs } : { session: change.valueMs };
  if (change.name === 'lock_timeout') ctx.lockTimeout = next;
  else ctx.statementTimeout = next;
}
