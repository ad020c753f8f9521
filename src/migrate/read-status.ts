import { DbopsError } from '../core/errors';
import { EXIT } from '../core/exit-codes';
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
  return withSession({ url: settings.url, applicationName: 'dbops migrate status', readOnly: true, statementTimeoutMs: 30_000 }, async (s) => {
    // Catalog reads take no lock on user tables; this only bounds a wait on a catalog table itself.
    await s.client.query("SET lock_timeout = '5s'");
    try {
      return {
        target: s.target.label,
        warnings,
        liveSchema: opts.liveSchema ? await readLiveSchema(s.client) : undefined,
        ...computeStatus(files, await readTracking(s.client)),
      };
    } catch (err) {
      if ((err as { code?: string }).code !== '55P03') throw err;
      throw new DbopsError(`reading the catalog of ${s.target.label} waited 5 s for a lock`, {
        exitCode: EXIT.failed,
        hint: 'another session holds a lock on a catalog table (VACUUM FULL or LOCK on a system catalog?); rerun when it is done',
      });
    }
  });
}
