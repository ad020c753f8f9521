import { loadConfig } from '../config/load';
import { canonicalFormat, type TextOrJson } from '../output/formats';

/**
 * The work of `dbops backfill run` after flag parsing, shared by the oclif command and the
 * start-up fast path (fast-backfill.ts); free of oclif. The backfill code is loaded when it runs.
 */
export interface BackfillRunFlags {
  config?: string;
  url?: string;
  table: string;
  set?: string;
  where?: string;
  sql?: string;
  key?: string;
  name?: string;
  'batch-size'?: number;
  'max-batch-size'?: number;
  'target-batch-time'?: string;
  'max-rate'?: number;
  sleep?: string;
  'max-replica-lag'?: string;
  replica?: string[];
  'lock-timeout'?: string;
  'statement-timeout'?: string;
  retries?: number;
  format: string;
  'dry-run'?: boolean;
}

/** Runs the backfill and returns its exit code (130 after SIGINT/SIGTERM, see runner.ts). */
export async function runBackfillCommand(flags: BackfillRunFlags): Promise<number> {
  const { resolveSettings, settingsFromConfig } = require('../backfill/settings') as typeof import('../backfill/settings');
  const { runBackfill } = require('../backfill/start') as typeof import('../backfill/start');
  const format = canonicalFormat(flags.format) as TextOrJson;
  const loaded = loadConfig({ explicitPath: flags.config, cwd: process.cwd() });
  const settings = resolveSettings(
    {
      batchSize: flags['batch-size'],
      maxBatchSize: flags['max-batch-size'],
      targetBatchTime: flags['target-batch-time'],
      maxRate: flags['max-rate'],
      sleep: flags.sleep,
      maxReplicaLag: flags['max-replica-lag'],
      lockTimeout: flags['lock-timeout'],
      statementTimeout: flags['statement-timeout'],
      retries: flags.retries,
    },
    settingsFromConfig(loaded.config.backfill, loaded.path),
    loaded.maxLockTimeoutMs,
    loaded.path,
  );
  return runBackfill(
    {
      url: flags.url,
      table: flags.table,
      set: flags.set,
      where: flags.where,
      sqlFile: flags.sql,
      key: flags.key?.split(',').map((k) => k.trim()),
      name: flags.name,
      replicas: flags.replica ?? [],
      settings,
      config: loaded,
      dryRun: flags['dry-run'] === true,
      format,
      argv: process.argv.slice(2),
    },
    {
      out: (line) => process.stdout.write(line + '\n'),
      err: (line) => process.stderr.write(line + '\n'),
      terminal: format === 'text' && process.stderr.isTTY ? process.stderr : null,
    },
  );
}
