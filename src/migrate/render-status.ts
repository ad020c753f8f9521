import type { MigrationStatus, StatusEntry } from './status';
import type { MigrateFormat } from '../output/formats';
import { renderJsonDocument } from '../output/json';

const LABEL: Record<StatusEntry['state'], string> = {
  applied: 'applied',
  pending: 'pending',
  changed: 'CHANGED after apply',
  missing: 'MISSING file',
};

function detail(e: StatusEntry): string {
  if (e.state === 'pending') {
    const parts: string[] = [];
    if (e.statementsDone) parts.push(`${e.statementsDone} statement${e.statementsDone > 1 ? 's' : ''} done by an interrupted run`);
    if (e.changedSinceStarted) parts.push('file changed since then');
    if (e.outOfOrder) parts.push('older than the latest applied (out of order)');
    return parts.join('; ');
  }
  const a = e.applied!;
  const when = `${a.appliedAt.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z')} by ${a.appliedBy}`;
  if (e.state === 'changed') return `${when}; checksum ${a.checksum.slice(0, 12)} recorded, file now ${e.file!.checksum.slice(0, 12)}`;
  return when;
}

export function renderStatus(status: MigrationStatus & { target: string; warnings: string[] }): string {
  const lines = [`Migrations on ${status.target}:`];
  if (status.entries.length === 0) lines.push('  (no migration files and nothing applied)');
  for (const e of status.entries) {
    const where = e.file?.displayPath ?? `${e.version}_${e.name}`;
    const more = detail(e);
    lines.push(`  ${LABEL[e.state].padEnd(19)} ${where}${more ? `  (${more})` : ''}`);
  }
  const count = (n: number, what: string) => `${n} ${what}`;
  lines.push(
    [count(status.applied.length, 'applied'), count(status.pending.length, 'pending'), count(status.changed.length, 'changed after apply'), count(status.missing.length, 'missing')].join(', ') + '.',
  );
  for (const w of status.warnings) lines.push(`warning: ${w}`);
  if (status.changed.length > 0) lines.push('Changed migrations block `dbops migrate` until restored (or --allow-changed): put new changes in a new migration.');
  return lines.join('\n');
}

export function statusJson(status: MigrationStatus & { target: string; warnings: string[] }) {
  return {
    target: status.target,
    warnings: status.warnings,
    counts: { applied: status.applied.length, pending: status.pending.length, changed: status.changed.length, missing: status.missing.length },
    migrations: status.entries.map((e) => ({
      version: e.version,
      name: e.name,
      state: e.state,
      file: e.file?.displayPath ?? null,
      checksum: e.file?.checksum ?? null,
      appliedChecksum: e.applied?.checksum ?? null,
      appliedAt: e.applied?.appliedAt.toISOString() ?? null,
      appliedBy: e.applied?.appliedBy ?? null,
      durationMs: e.applied?.durationMs ?? null,
      dbopsVersion: e.applied?.dbopsVersion ?? null,
      statementsDone: e.statementsDone ?? 0,
      outOfOrder: e.outOfOrder ?? false,
    })),
  };
}

export function renderMigrateStatus(format: MigrateFormat, status: MigrationStatus & { target: string; warnings: string[] }): string {
  switch (format) {
    case 'text':
      return renderStatus(status) + '\n';
    case 'json':
      return renderJsonDocument(statusJson(status));
  }
}
