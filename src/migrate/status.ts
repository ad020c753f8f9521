import { compareVersions, type MigrationFile } from './files';
import type { AppliedRow, TrackingState } from './tracking';

export type MigrationState = 'applied' | 'pending' | 'changed' | 'missing';

export interface StatusEntry {
  version: string;
  name: string;
  state: MigrationState;
  file?: MigrationFile;
  applied?: AppliedRow;
  /** Pending only: statements of a non-transactional file already done by an interrupted run. */
  statementsDone?: number;
  /** Pending only: the checksum those statements ran with differs from the file now. */
  changedSinceStarted?: boolean;
  /** Pending only: a later version is already applied (e.g. merged from a branch). */
  outOfOrder?: boolean;
}

export interface MigrationStatus {
  entries: StatusEntry[];
  applied: StatusEntry[];
  pending: StatusEntry[];
  /** Applied, but the file's checksum differs from the one recorded. */
  changed: StatusEntry[];
  /** Applied, but no file has its version any more. */
  missing: StatusEntry[];
}

/** Matches the files on disk against what the database recorded. */
export function computeStatus(files: MigrationFile[], tracking: TrackingState): MigrationStatus {
  const appliedByVersion = new Map(tracking.applied.map((a) => [a.version, a]));
  const maxApplied = tracking.applied.map((a) => a.version).sort(compareVersions).at(-1);
  const entries: StatusEntry[] = [];
  for (const file of files) {
    const applied = appliedByVersion.get(file.version);
    if (applied) {
      entries.push({ version: file.version, name: file.name, state: applied.checksum === file.checksum ? 'applied' : 'changed', file, applied });
      continue;
    }
    const progress = tracking.progress.filter((p) => p.version === file.version);
    entries.push({
      version: file.version,
      name: file.name,
      state: 'pending',
      file,
      statementsDone: progress.length || undefined,
      changedSinceStarted: progress.some((p) => p.checksum !== file.checksum) || undefined,
      outOfOrder: maxApplied !== undefined && compareVersions(file.version, maxApplied) < 0 ? true : undefined,
    });
  }
  const onDisk = new Set(files.map((f) => f.version));
  for (const applied of tracking.applied) {
    if (!onDisk.has(applied.version)) entries.push({ version: applied.version, name: applied.name, state: 'missing', applied });
  }
  entries.sort((a, b) => compareVersions(a.version, b.version));
  const by = (s: MigrationState) => entries.filter((e) => e.state === s);
  return { entries, applied: by('applied'), pending: by('pending'), changed: by('changed'), missing: by('missing') };
}
