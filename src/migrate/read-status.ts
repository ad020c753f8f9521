import { withSession } from '../db/connect';
import { loadMigrationFiles } from './files';
import type { MigrateSettings } from './settings';
import { computeStatus, type MigrationStatus } from './status';
import { readLiveSchema } from './live-schema';
import { readTracking } from './tracking';

/** Status as the database and the directory see it now (and, if asked, the live schema), from a read-only session. */
export async function readMigrationStatus(
  settings: Pick<MigrateSettings, 'url' | 'dir'>,
  opts: { liveSchema?: boolean } = {},
): Promise<MigrationStatus & { target: string; warnings: string[]; liveSchema?: string }> {
  const { files, warnings } = loadMigrationFiles(settings.dir);
  return withSession({ url: settings.url, applicationName: 'dbops migrate status', readOnly: true, statementTimeoutMs: 30_000 }, async (s) => ({
    target: s.target.label,
    warnings,
    liveSchema: opts.liveSchema ? await readLiveSchema(s.client) : undefined,
    ...computeStatus(files, await readTracking(s.client)),
  }));
}
