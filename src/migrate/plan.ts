import { blocksReads, blocksWrites } from '../effects/locks';
import type { RelationEffect, StatementEffects } from '../effects/types';
import type { Finding, LintOptions } from '../lint/types';
import { formatDuration } from '../util/duration';
import { lintPending } from './lint-gate';
import { readMigrationStatus } from './read-status';
import type { MigrateSettings } from './settings';
import { migrationHeader, prepareMigrations, type MigrationHeader } from './statements';

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
}

/** What `dbops migrate` would do next, from a read-only session and the effects model; executes nothing. */
export async function buildPlan(settings: MigrateSettings, lintOptions: LintOptions): Promise<MigrationPlan> {
  const status = await readMigrationStatus(settings, { liveSchema: true });
  const prepared = await prepareMigrations(status.pending.map((e) => e.file!), { ...settings, existingSchema: status.liveSchema });
  const lint = await lintPending(prepared, lintOptions, false, status.liveSchema);
  const migrations = prepared.map((m, i): PlannedMigration => {
    const done = status.pending[i].statementsDone ?? 0;
    return {
      ...migrationHeader(m),
      statementsDone: m.transactional ? 0 : done,
      statements: m.statements
        .slice(m.transactional ? 0 : done)
        .map((st) => ({ line: st.line, text: st.text, noTransaction: st.noTransaction, relations: plannedRelations(st.effects) })),
    };
  });
  const warnings = [...status.warnings, ...status.changed.map((c) => `${c.file!.displayPath} was changed after being applied: dbops migrate refuses to run until it is restored (or --allow-changed)`)];
  return { target: status.target, lockTimeoutMs: settings.lockTimeoutMs, statementTimeoutMs: settings.statementTimeoutMs, migrations, lint: lint.findings, warnings };
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
    }
  }
  const errors = plan.lint.filter((f) => f.severity === 'error');
  if (plan.lint.length > 0) lines.push('', 'Lint:');
  for (const f of plan.lint) lines.push(`  ${f.file}:${f.start.line}:${f.start.column}  ${f.severity}  ${f.ruleId}  ${f.message}`);
  if (errors.length > 0) lines.push(`dbops migrate would refuse to run: ${errors.length} lint error${errors.length > 1 ? 's' : ''} (see \`dbops lint\` for why and the safe way).`);
  for (const w of plan.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 100 ? `${flat.slice(0, 97)}...` : flat;
}

/** `dbops migrate plan` and `dbops migrate --dry-run`. */
export async function renderPlan(settings: MigrateSettings, lintOptions: LintOptions, format: 'pretty' | 'json'): Promise<void> {
  const plan = await buildPlan(settings, lintOptions);
  process.stdout.write((format === 'json' ? JSON.stringify(plan, null, 2) : renderPlanText(plan)) + '\n');
}
