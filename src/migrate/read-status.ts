import { withSession } from '../db/connect';
import { loadMigrationFiles } from './files';
import type { MigrateSettings } from './settings';
import { computeStatus, type MigrationStatus } from './status';
import { readTracking } from './tracking';

/** Status as the database and the directory see it now, from a read-only session. */
export async function readMigrationStatus(settings: Pick<MigrateSettings, 'url' | 'dir'>): Promise<MigrationStatus & { target: string; warnings: string[] }> {
  const { files, warnings } = loadMigrationFiles(settings.dir);
  return withSession({ url: settings.url, applicationName: 'dbops migrate status', readOnly: true, statementTimeoutMs: 30_000 }, async (s) => ({
    target: s.target.label,
    warnings,
    ...computeStatus(files, await readTracking(s.client)),
  }));
}
