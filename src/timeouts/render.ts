import { wrappingTable } from '../output/table';
import { formatDuration, formatSeconds } from '../util/duration';
import type { TimeoutCheckResult, EffectiveRow, Violation } from './check';
import { describeLimit } from './policy';
import type { EnforcePlan, PlannedChange } from './enforce';
import type { IdleListing, IdleRun } from './idle-sessions';
import type { TextOrJson } from '../output/formats';
import { renderJsonDocument } from '../output/json';
import { TIMEOUT_SETTINGS, type EffectiveValue, type TimeoutSetting } from './settings';
import { dbopsCommand } from '../core/dbops-command';

const SHORT: Record<TimeoutSetting, string> = {
  idle_in_transaction_session_timeout: 'idle in txn',
  statement_timeout: 'statement',
  lock_timeout: 'lock',
  idle_session_timeout: 'idle session',
};

const LEVEL_MARK: Record<EffectiveValue['level'], string> = { 'role in database': ' (role+db)', role: ' (role)', database: ' (db)', server: '' };

const showMs = (ms: number) => (ms === 0 ? 'off' : formatDuration(ms));
const showValue = (v: EffectiveValue) => `${showMs(v.ms)}${LEVEL_MARK[v.level]}`;

export function renderCheckTable(result: TimeoutCheckResult): string {
  const out: string[] = [];
  const table = wrappingTable(['role', 'database', ...TIMEOUT_SETTINGS.map((s) => SHORT[s])]);
  const add = (row: EffectiveRow, role: string, database: string) => table.push([role, database, ...TIMEOUT_SETTINGS.map((s) => showValue(row.values[s]))]);
  add(result.server, '(server default)', '(all)');
  for (const row of result.databases) add(row, '(any role)', row.database!);
  const violating = new Set(result.violations.map((v) => `${v.role}\u0000${v.database}`));
  for (const row of result.sessions) {
    const mark = row.exempt ? ' [exempt]' : violating.has(`${row.role}\u0000${row.database}`) ? ' [!]' : '';
    add(row, `${row.role}${row.superuser ? ' (superuser)' : ''}${mark}`, row.database!);
  }
  out.push(table.toString());
  out.push('Values are what a new session starts with; (role+db), (role), (db) say which ALTER … SET decides it, otherwise the server configuration.');
  const limits = Object.entries(result.policy.limits) as [TimeoutSetting, number][];
  if (limits.length === 0) {
    out.push('No policy: set timeouts.policy in dbops.config.json or pass --max-idle-in-transaction (and friends) to check against one.');
  } else {
    out.push(`Policy: ${limits.map(([s, ms]) => describeLimit(s, ms)).join(', ')}${result.policy.exemptRoles.length ? `; exempt: ${result.policy.exemptRoles.join(', ')}` : ''}`);
    if (result.violations.length === 0) out.push('OK: every login role meets the policy.');
    else {
      out.push(`${result.violations.length} violation(s):`);
      for (const v of result.violations) out.push(`  ${describeViolation(v)}`);
      out.push(`Fix: ${dbopsCommand('timeouts enforce --idle-in-transaction <duration> --role <role>')} (see docs/commands/timeouts.md)`);
    }
  }
  return out.join('\n');
}

export function describeViolation(v: Violation): string {
  const actual = v.actualMs === 0 ? 'disabled (0)' : formatDuration(v.actualMs);
  return `role "${v.role}" in database "${v.database}": ${v.setting} is ${actual}, set at ${v.level} level; policy allows at most ${formatDuration(v.limitMs)}`;
}

const jsonValues = (row: EffectiveRow) =>
  Object.fromEntries(TIMEOUT_SETTINGS.map((s) => [s, { ms: row.values[s].ms, value: showMs(row.values[s].ms), level: row.values[s].level }]));

export function checkJson(result: TimeoutCheckResult): object {
  return {
    policy: {
      limits: Object.fromEntries(Object.entries(result.policy.limits).map(([s, ms]) => [s, { ms, value: formatDuration(ms) }])),
      exemptRoles: result.policy.exemptRoles,
    },
    server: jsonValues(result.server),
    databases: result.databases.map((r) => ({ database: r.database, settings: jsonValues(r) })),
    roles: result.sessions.map((r) => ({ role: r.role, database: r.database, superuser: r.superuser, exempt: r.exempt, settings: jsonValues(r) })),
    violations: result.violations.map((v) => ({ ...v, message: describeViolation(v) })),
    summary: { roles: new Set(result.sessions.map((r) => r.role)).size, databases: result.databases.length, violations: result.violations.length },
  };
}

function targetLabel(c: PlannedChange): string {
  const { role, database } = c.target;
  if (role !== undefined && database !== undefined) return `role "${role}" in database "${database}"`;
  return role !== undefined ? `role "${role}"` : `database "${database}"`;
}

export function renderPlan(plan: EnforcePlan, applied: boolean): string {
  const out: string[] = [];
  for (const c of plan.unchanged) out.push(`-- ${targetLabel(c)}: ${c.setting} is already ${formatDuration(c.desiredMs)}`);
  if (plan.changes.length === 0) {
    out.push('Nothing to change: every target already has the requested value.');
    return out.join('\n');
  }
  out.push(applied ? 'Applied:' : 'Plan (dry run; add --apply to execute):');
  for (const c of plan.changes) {
    out.push(`${c.sql};  -- ${targetLabel(c)}: ${c.currentMs === undefined ? 'not set here' : showMs(c.currentMs)} → ${formatDuration(c.desiredMs)}`);
  }
  for (const s of plan.shadowed) out.push(`note: ${s}`);
  out.push(
    `${applied ? 'Only' : 'Once applied, only'} sessions opened afterwards get the new value: ${plan.existingSessions} session(s) of the changed roles/databases are open now and keep their old value until they reconnect (PgBouncer's pooled server connections too).`,
  );
  return out.join('\n');
}

export function planJson(plan: EnforcePlan, applied: boolean): object {
  const change = (c: PlannedChange) => ({ ...c.target, setting: c.setting, currentMs: c.currentMs ?? null, desiredMs: c.desiredMs, sql: c.sql });
  return { applied, changes: plan.changes.map(change), unchanged: plan.unchanged.map(change), shadowed: plan.shadowed, existingSessions: plan.existingSessions };
}

const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function renderIdleTable(listing: IdleListing): string {
  const out: string[] = [];
  if (listing.sessions.length === 0) out.push('No sessions idle in a transaction.');
  else {
    const table = wrappingTable(['pid', 'user', 'database', 'application', 'client', 'xact age', 'idle', 'locks', 'last query']);
    for (const s of listing.sessions) {
      table.push([
        String(s.pid),
        `${s.user ?? ''}${s.superuser ? ' (superuser)' : ''}`,
        s.database ?? '',
        s.application,
        s.client ?? '',
        s.xact_age_s === null ? '—' : formatSeconds(s.xact_age_s),
        formatSeconds(s.idle_s) + (s.state.endsWith('(aborted)') ? ' (aborted)' : ''),
        String(s.locks),
        truncate(s.query.replace(/\s+/g, ' ').trim(), 60),
      ]);
    }
    out.push(table.toString());
  }
  if (listing.hidden > 0) out.push(`note: ${listing.hidden} other session(s) are hidden from this role; grant it pg_read_all_stats to see them.`);
  return out.join('\n');
}

export function idleJson(listing: IdleListing, terminated?: number[]): object {
  return {
    sessions: listing.sessions.map((s) => ({
      pid: s.pid,
      user: s.user,
      database: s.database,
      application: s.application,
      client: s.client,
      superuser: s.superuser,
      state: s.state,
      transactionAgeSeconds: s.xact_age_s === null ? null : Math.round(s.xact_age_s * 10) / 10,
      idleSeconds: Math.round(s.idle_s * 10) / 10,
      locksHeld: s.locks,
      lastQuery: s.query,
      skipped: s.skipReason ?? null,
      terminated: terminated ? terminated.includes(s.pid) : undefined,
    })),
    hidden: listing.hidden,
    terminated: terminated ?? null,
  };
}

/** `dbops timeouts check`, as printed. */
export function renderCheck(format: TextOrJson, result: TimeoutCheckResult): string {
  switch (format) {
    case 'text':
      return renderCheckTable(result) + '\n';
    case 'json':
      return renderJsonDocument(checkJson(result));
  }
}

/** `dbops timeouts enforce`, as printed. */
export function renderEnforce(format: TextOrJson, plan: EnforcePlan, applied: boolean): string {
  switch (format) {
    case 'text':
      return renderPlan(plan, applied) + '\n';
    case 'json':
      return renderJsonDocument(planJson(plan, applied));
  }
}

/**
 * What `dbops sessions idle` prints once the run is over. In text the table was printed before
 * the question (renderIdleTable), so this is only what --terminate did.
 */
export function renderIdleOutcome(format: TextOrJson, run: IdleRun): string {
  switch (format) {
    case 'json':
      return renderJsonDocument(idleJson(run.listing, run.terminate?.terminated));
    case 'text': {
      if (!run.terminate) return '';
      const { confirmed, terminated, leftAlone } = run.terminate;
      if (!confirmed) return 'Not confirmed: no session was terminated.\n';
      const out = [`Terminated ${terminated.length} session(s)${terminated.length ? `: ${terminated.join(', ')}` : ''}.`];
      if (leftAlone.length > 0) out.push(`Left alone ${leftAlone.length} session(s) that ended or left their transaction meanwhile: ${leftAlone.join(', ')}.`);
      for (const x of run.listing.sessions.filter((y) => y.skipReason)) out.push(`Skipped ${x.pid}: ${x.skipReason}.`);
      return out.map((l) => l + '\n').join('');
    }
  }
}
