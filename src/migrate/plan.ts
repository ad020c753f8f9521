import { formatDuration } from '../util/duration';
import { readMigrationStatus } from './read-status';
import type { MigrateSettings } from './settings';
import { prepareMigration, type PreparedMigration } from './statements';

export interface PlannedStatement {
  line: number;
  text: string;
  /** Runs outside any transaction (CREATE INDEX CONCURRENTLY, VACUUM, …). */
  noTransaction?: string;
}

export interface PlannedMigration {
  version: string;
  name: string;
  file: string;
  transactional: boolean;
  nonTransactionalReason?: string;
  /** Statements an interrupted run already completed (they are skipped). */
  statementsDone: number;
  statements: PlannedStatement[];
}

export interface MigrationPlan {
  target: string;
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  migrations: PlannedMigration[];
  warnings: string[];
}

/** What `dbops migrate` would do next, read from a read-only session; executes nothing. */
export async function buildPlan(settings: MigrateSettings): Promise<MigrationPlan> {
  const status = await readMigrationStatus(settings);
  const migrations: PlannedMigration[] = [];
  for (const entry of status.pending) {
    const prepared: PreparedMigration = await prepareMigration(entry.file!, settings);
    const done = entry.statementsDone ?? 0;
    migrations.push({
      version: entry.version,
      name: entry.name,
      file: entry.file!.displayPath,
      transactional: prepared.transactional,
      nonTransactionalReason: prepared.nonTransactionalReason,
      statementsDone: done,
      statements: prepared.statements.slice(prepared.transactional ? 0 : done).map((st) => ({ line: st.line, text: st.text, noTransaction: st.noTransaction })),
    });
  }
  const warnings = [...status.warnings, ...status.changed.map((c) => `${c.file!.displayPath} was changed after being applied: dbops migrate refuses to run until it is restored (or --allow-changed)`)];
  return { target: status.target, lockTimeoutMs: settings.lockTimeoutMs, statementTimeoutMs: settings.statementTimeoutMs, migrations, warnings };
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
    const resume = m.statementsDone > 0 && !m.transactional ? `, continuing after statement ${m.statementsDone}` : '';
    lines.push('', `${m.file} — ${mode}${resume}`);
    for (const st of m.statements) {
      lines.push(`  line ${String(st.line).padEnd(4)} ${oneLine(st.text)}`);
    }
  }
  for (const w of plan.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 100 ? `${flat.slice(0, 97)}...` : flat;
}

/** `dbops migrate plan` and `dbops migrate --dry-run`. */
export async function renderPlan(settings: MigrateSettings, format: 'pretty' | 'json'): Promise<void> {
  const plan = await buildPlan(settings);
  process.stdout.write((format === 'json' ? JSON.stringify(plan, null, 2) : renderPlanText(plan)) + '\n');
}
