import { withSession } from '../db/connect';
import { blocksReads, blocksWrites, type LockMode } from '../effects/locks';
import type { RelationEffect, StatementEffects } from '../effects/types';
import type { Finding, LintOptions, VerificationReport } from '../lint/types';
import { renderVerification } from '../output/lint/text';
import { formatDuration } from '../util/duration';
import type { MigrateFormat } from '../output/formats';
import { renderJsonDocument } from '../output/json';
import { describeBlocker } from './blockers';
import { lintPending } from './lint-gate';
import { conflictingHolders, resolveTargets, type LockHolder } from './lock-holders';
import { strongLockTargets } from './lock-targets';
import { readMigrationStatus } from './read-status';
import type { MigrateSettings } from './settings';
import { migrationHeader, prepareMigrations, type MigrationHeader, type MigrationStatement, type PreparedMigration } from './statements';
import { dbopsCommand } from '../core/dbops-command';

export interface PlannedRelation {
  relation: string;
  /** Every lock mode taken on it, strongest first. */
  locks: string[];
  /** What ordinary traffic feels while the strongest lock is held or queued. */
  blocks: 'reads and writes' | 'writes' | 'nothing';
  rewrite: 'yes' | 'no' | 'unknown';
  scan: boolean;
  /** Created earlier in this run: empty, so its locks hurt no one. */
  isNew: boolean;
  notes: string[];
}

export interface PlannedStatement {
  line: number;
  text: string;
  /** Runs outside any transaction (CREATE INDEX CONCURRENTLY, VACUUM, …). */
  noTransaction?: string;
  relations: PlannedRelation[];
  /** The strong locks it will wait for on existing tables, and who holds a conflicting lock right now. */
  waitsFor: PlannedLockWait[];
}

export interface PlannedLockWait {
  relation: string;
  mode: LockMode;
  /** Sessions holding (or queued for) a conflicting lock when the plan was made; empty: free now. */
  heldBy: LockHolder[];
}

export interface PlannedMigration extends MigrationHeader {
  /** Statements an interrupted run already completed (they are skipped). */
  statementsDone: number;
  statements: PlannedStatement[];
}

export interface MigrationPlan {
  target: string;
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  migrations: PlannedMigration[];
  /** What the lint gate says; error-level findings would stop `dbops migrate`. */
  lint: Finding[];
  warnings: string[];
  /** --verify: the pending statements traced on a scratch server (null without it). */
  verification: VerificationReport | null;
}

/** What `dbops migrate` would do next, from a read-only session and the effects model; executes nothing. */
export async function buildPlan(settings: MigrateSettings, lintOptions: LintOptions, verify?: string): Promise<MigrationPlan> {
  const status = await readMigrationStatus(settings, { liveSchema: true });
  const prepared = await prepareMigrations(status.pending.map((e) => e.file!), { ...settings, existingSchema: status.liveSchema });
  const lint = await lintPending(prepared, lintOptions, false, status.liveSchema);
  const pending = prepared.map((m, i) => ({ m, statements: m.statements.slice(m.transactional ? 0 : (status.pending[i].statementsDone ?? 0)) }));
  const waits = await lockWaitsNow(settings, pending.flatMap((p) => p.statements));
  const migrations = pending.map(({ m, statements }): PlannedMigration => ({
    ...migrationHeader(m),
    statementsDone: m.statements.length - statements.length,
    statements: statements.map((st) => ({
      line: st.line,
      text: st.text,
      noTransaction: st.noTransaction,
      relations: plannedRelations(st.effects),
      waitsFor: waits.get(st) ?? [],
    })),
  }));
  const warnings = [...status.warnings, ...status.changed.map((c) => `${c.file!.displayPath} was changed after being applied: dbops migrate refuses to run until it is restored (or --allow-changed)`)];
  const verification = verify === undefined ? null : await verifyPending(prepared, lintOptions, status.liveSchema, verify);
  return { target: status.target, lockTimeoutMs: settings.lockTimeoutMs, statementTimeoutMs: settings.statementTimeoutMs, migrations, lint: lint.findings, warnings, verification };
}

/** The pending migrations on a scratch server primed with the target's live schema (see src/verify/). */
async function verifyPending(prepared: PreparedMigration[], lintOptions: LintOptions, liveSchema: string | undefined, target: string): Promise<VerificationReport> {
  const { verifySources } = await import('../verify/verify');
  const { analyzeOptionsOf } = await import('../lint/engine');
  const { verificationReportOf } = await import('../lint/run');
  const sources = prepared.map((m) => ({ path: m.file.displayPath, text: m.file.sql }));
  const result = await verifySources({ target, sources, options: { ...analyzeOptionsOf(lintOptions), existingSchema: liveSchema } });
  return verificationReportOf(result);
}

/**
 * Per statement, the strong locks it needs on tables that exist now and who holds a conflicting
 * lock at this moment, from pg_locks and pg_stat_activity on a read-only session.
 */
async function lockWaitsNow(settings: MigrateSettings, statements: MigrationStatement[]): Promise<Map<MigrationStatement, PlannedLockWait[]>> {
  const out = new Map<MigrationStatement, PlannedLockWait[]>();
  const wanted = statements.filter((st) => strongLockTargets([st]).length > 0);
  if (wanted.length === 0) return out;
  await withSession({ url: settings.url, applicationName: 'dbops migrate plan', readOnly: true, statementTimeoutMs: 30_000 }, async (s) => {
    await s.client.query("SET lock_timeout = '5s'");
    const self = (await s.client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    for (const st of wanted) {
      const targets = await resolveTargets(s.client, strongLockTargets([st]));
      const holders = await conflictingHolders(s.client, targets, [self]);
      out.set(
        st,
        targets.map((t) => ({ relation: t.relation.name, mode: t.mode, heldBy: holders.filter((h) => h.relid === t.oid) })),
      );
    }
  });
  return out;
}

function plannedRelations(effects: StatementEffects): PlannedRelation[] {
  const all = [...effects.relations, ...(effects.nested ?? []).flatMap((n) => n.effects.relations)];
  return all.map((r: RelationEffect) => {
    const actions = [...effects.actions, ...(effects.nested ?? []).flatMap((n) => n.effects.actions)].filter((a) => a.relation.key === r.relation.key);
    const notes = [
      ...actions.filter((a) => a.rewrite !== 'no' && a.rewriteReason).map((a) => a.rewriteReason!),
      ...actions.filter((a) => a.scan && a.scanReason).map((a) => a.scanReason!),
      ...actions.filter((a) => a.note).map((a) => a.note!),
    ];
    return {
      relation: r.relation.name,
      locks: r.locks,
      blocks: blocksReads(r.lock) ? 'reads and writes' : blocksWrites(r.lock) ? 'writes' : 'nothing',
      rewrite: r.rewrite,
      scan: r.scan,
      isNew: r.isNew,
      notes: [...new Set(notes)],
    };
  });
}

function describeRelation(r: PlannedRelation): string {
  const parts = [`${r.locks.join(' + ')} on ${r.relation}`];
  if (r.isNew) parts.push('new table in this run: blocks no one');
  else parts.push(r.blocks === 'nothing' ? 'reads and writes continue' : `blocks ${r.blocks}`);
  parts.push(r.rewrite === 'yes' ? 'REWRITES the table' : r.rewrite === 'unknown' ? 'may rewrite the table' : 'no rewrite');
  parts.push(r.scan ? 'full scan' : 'no scan');
  const notes = r.notes.length > 0 ? ` (${r.notes.join('; ')})` : '';
  return parts.join('; ') + notes;
}

export function renderPlanText(plan: MigrationPlan): string {
  const lines: string[] = [];
  if (plan.migrations.length === 0) lines.push(`Nothing to apply on ${plan.target}.`);
  else {
    lines.push(
      `Plan for ${plan.target}: ${plan.migrations.length} pending migration${plan.migrations.length > 1 ? 's' : ''}, ` +
        `each statement under lock_timeout ${formatDuration(plan.lockTimeoutMs)} (nothing was executed)`,
    );
  }
  for (const m of plan.migrations) {
    const mode = m.transactional ? 'one transaction' : `statement by statement (${m.nonTransactionalReason})`;
    const resume = m.statementsDone > 0 ? `, continuing after statement ${m.statementsDone}` : '';
    lines.push('', `${m.file} — ${mode}${resume}`);
    for (const st of m.statements) {
      lines.push(`  line ${String(st.line).padEnd(4)} ${oneLine(st.text)}`);
      if (st.relations.length === 0) lines.push('             takes no table locks');
      for (const r of st.relations) lines.push(`             ${describeRelation(r)}`);
      for (const w of st.waitsFor) {
        const now = w.heldBy.length === 0 ? 'no conflicting lock held now' : `held now by ${w.heldBy.map((h) => `${describeBlocker(h)} (${h.granted ? h.held : `queued for ${h.held}`})`).join('; and by ')}`;
        lines.push(`             waits for ${w.mode} on ${w.relation}: ${now}`);
      }
    }
  }
  const errors = plan.lint.filter((f) => f.severity === 'error');
  if (plan.lint.length > 0) lines.push('', 'Lint:');
  for (const f of plan.lint) lines.push(`  ${f.file}:${f.start.line}:${f.start.column}  ${f.severity}  ${f.ruleId}  ${f.message}`);
  if (errors.length > 0) lines.push(`dbops migrate would refuse to run: ${errors.length} lint error${errors.length > 1 ? 's' : ''} (see \`${dbopsCommand('lint')}\` for why and the safe way).`);
  for (const w of plan.warnings) lines.push(`warning: ${w}`);
  if (plan.verification) lines.push('', renderVerification(plan.verification));
  return lines.join('\n');
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 100 ? `${flat.slice(0, 97)}...` : flat;
}

/** `dbops migrate plan` and `dbops migrate --dry-run`. */
export async function renderPlan(settings: MigrateSettings, lintOptions: LintOptions, format: MigrateFormat, verify?: string): Promise<void> {
  const plan = await buildPlan(settings, lintOptions, verify);
  switch (format) {
    case 'text':
      process.stdout.write(renderPlanText(plan) + '\n');
      return;
    case 'json':
      process.stdout.write(renderJsonDocument(plan));
      return;
  }
}
