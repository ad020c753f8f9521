import { UsageError } from '../core/errors';
import { configKey, type LoadedConfig } from '../config/load';

/**
 * Runs every section of a loaded config through the code that reads it when a command runs, so
 * `dbops config show` rejects what a later lint, migrate, backfill, audit, timeouts or report run
 * would (an unknown rule id, a bad duration…), with the same message naming the file.
 */
export async function checkConfig(loaded: LoadedConfig): Promise<void> {
  const { config } = loaded;
  if (config.database?.url !== undefined) {
    const { resolveConnection } = await import('../db/connection-options');
    try {
      resolveConnection(config.database.url);
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      throw new UsageError(`${configKey(loaded.path, 'database.url')}: ${err.message}`, err.hint);
    }
  }
  const { lintOptionsFrom, migrationToolFrom } = await import('../lint/run');
  lintOptionsFrom(loaded, {});
  migrationToolFrom(loaded);
  const { resolveMigrateSettings } = await import('../migrate/settings');
  resolveMigrateSettings(loaded, {});
  const { resolveSettings, settingsFromConfig } = await import('../backfill/settings');
  resolveSettings({}, settingsFromConfig(config.backfill, loaded.path), loaded.maxLockTimeoutMs, loaded.path);
  const { resolveThresholds } = await import('../audit/thresholds');
  resolveThresholds(config, {}, loaded.path);
  const { resolvePolicy } = await import('../timeouts/policy');
  resolvePolicy(config, {}, [], loaded.path);
  // With no topology the reports fall back to database.url or the environment: nothing to check here.
  if (config.topology) {
    const { resolveTopology } = await import('../replication/topology');
    resolveTopology({}, config, loaded.path);
  }
}
