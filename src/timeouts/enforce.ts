import type { Client } from 'pg';
import { UsageError } from '../core/errors';
import { describeQueryError } from '../db/query-errors';
import { formatDuration } from '../util/duration';
import { readSettingLayers } from './layers';
import { alterSetStatement, applyStatements, countClientSessions, readAllRoles, readDatabases, readLoginRoles, type ActiveSessionCount, type AlterTarget } from './queries';
import { roleDbKey, type LevelValues, type SettingLayers, type TimeoutSetting } from './settings';

export interface EnforceRequest {
  values: Partial<Record<TimeoutSetting, number>>;
  roles: string[];
  databases: string[];
  allLoginRoles: boolean;
  exemptRoles: string[];
}

export interface PlannedChange {
  target: AlterTarget;
  setting: TimeoutSetting;
  /** The value set at exactly this level now, if any. */
  currentMs?: number;
  desiredMs: number;
  sql: string;
}

export interface EnforcePlan {
  changes: PlannedChange[];
  /** Targets already at the desired value. */
  unchanged: PlannedChange[];
  /** A more specific setting that will keep winning over a planned change. */
  shadowed: string[];
  /** Client sessions open now under the changed targets: they keep their old values. */
  existingSessions: number;
}

/** Reads the current settings and works out the ALTER statements that bring targets to the request. */
export async function planEnforcement(client: Client, request: EnforceRequest): Promise<EnforcePlan> {
  // One client runs one query at a time: read in sequence.
  const layers = await readSettingLayers(client);
  const allRoles = await readAllRoles(client);
  const loginRoles = await readLoginRoles(client);
  const databases = await readDatabases(client);
  const sessions = await countClientSessions(client);
  const targets = resolveTargets(request, new Set(allRoles), loginRoles.map((r) => r.name), new Set(databases));
  return buildPlan(layers, targets, request.values, sessions);
}

function resolveTargets(request: EnforceRequest, knownRoles: Set<string>, loginRoles: string[], knownDatabases: Set<string>): AlterTarget[] {
  if (request.allLoginRoles && request.roles.length > 0) {
    throw new UsageError('--all-login-roles and --role cannot be combined', 'name roles with --role, or use --all-login-roles (exempt roles from timeouts.policy.exemptRoles and --exclude-role are skipped)');
  }
  for (const role of request.roles) {
    if (!knownRoles.has(role)) throw new UsageError(`role "${role}" does not exist`, 'check the name (role names are case-sensitive)');
  }
  for (const database of request.databases) {
    if (!knownDatabases.has(database)) throw new UsageError(`database "${database}" does not exist or does not allow connections`, 'check the name');
  }
  const exempt = new Set(request.exemptRoles);
  // A name given twice (--role web --role web) is one target, not two identical statements.
  const roles = request.allLoginRoles ? loginRoles.filter((r) => !exempt.has(r)) : [...new Set(request.roles)];
  const databases = [...new Set(request.databases)];
  if (request.allLoginRoles && roles.length === 0) throw new UsageError('every login role is exempt: nothing to enforce', 'check timeouts.policy.exemptRoles and --exclude-role');
  if (roles.length === 0 && databases.length === 0) {
    throw new UsageError('no target: say which roles or databases get the timeout', 'add --role NAME, --database NAME or --all-login-roles');
  }
  if (roles.length === 0) return databases.map((database) => ({ database }));
  if (databases.length === 0) return roles.map((role) => ({ role }));
  return roles.flatMap((role) => databases.map((database) => ({ role, database })));
}

function valuesAt(layers: SettingLayers, target: AlterTarget): LevelValues | undefined {
  if (target.role !== undefined && target.database !== undefined) return layers.roleInDatabase.get(roleDbKey(target.role, target.database));
  if (target.role !== undefined) return layers.roles.get(target.role);
  return layers.databases.get(target.database!);
}

export function buildPlan(
  layers: SettingLayers,
  targets: readonly AlterTarget[],
  values: Partial<Record<TimeoutSetting, number>>,
  sessions: readonly ActiveSessionCount[],
): EnforcePlan {
  const plan: EnforcePlan = { changes: [], unchanged: [], shadowed: [], existingSessions: 0 };
  const changedTargets: AlterTarget[] = [];
  for (const target of targets) {
    let changed = false;
    for (const [setting, desiredMs] of Object.entries(values) as [TimeoutSetting, number][]) {
      const currentMs = valuesAt(layers, target)?.[setting];
      const change: PlannedChange = { target, setting, currentMs, desiredMs, sql: alterSetStatement(target, setting, formatDuration(desiredMs)) };
      if (currentMs === desiredMs) plan.unchanged.push(change);
      else {
        plan.changes.push(change);
        changed = true;
      }
      plan.shadowed.push(...shadowsOf(layers, target, setting, desiredMs));
    }
    if (changed) changedTargets.push(target);
  }
  plan.existingSessions = sessions.filter((s) => changedTargets.some((t) => covers(t, s))).reduce((n, s) => n + s.sessions, 0);
  return plan;
}

function covers(target: AlterTarget, session: ActiveSessionCount): boolean {
  return (target.role === undefined || target.role === session.role) && (target.database === undefined || target.database === session.database);
}

/** More specific settings that win over the one planned at `target`. */
function shadowsOf(layers: SettingLayers, target: AlterTarget, setting: TimeoutSetting, desiredMs: number): string[] {
  const out: string[] = [];
  const note = (where: string, ms: number) => {
    if (ms !== desiredMs) out.push(`${where} has its own ${setting} = ${formatDuration(ms)}, which wins over this change`);
  };
  if (target.role !== undefined && target.database === undefined) {
    for (const [key, v] of layers.roleInDatabase) {
      const [role, database] = key.split('\u0000');
      if (role === target.role && v[setting] !== undefined) note(`role "${role}" in database "${database}"`, v[setting]!);
    }
  } else if (target.role === undefined && target.database !== undefined) {
    for (const [role, v] of layers.roles) if (v[setting] !== undefined) note(`role "${role}"`, v[setting]!);
    for (const [key, v] of layers.roleInDatabase) {
      const [role, database] = key.split('\u0000');
      if (database === target.database && v[setting] !== undefined) note(`role "${role}" in database "${database}"`, v[setting]!);
    }
  }
  return out;
}

export async function applyPlan(client: Client, plan: EnforcePlan): Promise<void> {
  await applyStatements(client, plan.changes.map((c) => c.sql));
}

/** `dbops timeouts enforce`: the plan, applied when asked and there is something to change. */
export async function enforceTimeouts(client: Client, request: EnforceRequest, apply: boolean): Promise<{ plan: EnforcePlan; applied: boolean }> {
  const plan = await planEnforcement(client, request).catch((err) => {
    throw describeQueryError(err, 'reading the current settings', 'connect as a role that can read pg_roles and pg_db_role_setting');
  });
  const applied = apply && plan.changes.length > 0;
  if (applied) {
    await applyPlan(client, plan).catch((err) => {
      throw describeQueryError(err, 'applying the plan (nothing was changed)', 'connect as a superuser, or a role with CREATEROLE (PG 15: superuser for superuser roles) that owns the databases');
    });
  }
  return { plan, applied };
}
