import { Flags } from '@oclif/core';
import { DbopsCommand } from '../../cli/base-command';
import { formatFlag } from '../../cli/format-flag';
import { TEXT_OR_JSON } from '../../output/formats';

export default class BackfillRun extends DbopsCommand {
  static override description = `Update a large table in small keyset batches: throttled, lag-aware, resumable, exactly once per row.
--set and --where are SQL expressions you supply; they are checked with the PostgreSQL parser and planned before anything is written.
Rerunning the same command resumes; SIGINT/SIGTERM finishes or rolls back the current batch, saves the state and exits 130.`;

  static override examples = [
    `<%= config.bin %> backfill run --table orders --set "total_cents = price_cents * qty" --where "total_cents IS NULL"`,
    '<%= config.bin %> backfill run --table events --set "tenant_id = legacy_tenant" --max-replica-lag 2s,64MB --replica standby1=postgres://…',
    '<%= config.bin %> backfill run --table users --sql fill-email-lower.sql --name users-email-lower --dry-run',
  ];

  static override flags = {
    url: Flags.string({ description: 'the primary to backfill (default: config database.url, DATABASE_URL, PG*)' }),
    table: Flags.string({ description: 'table to update (schema.table)', required: true }),
    set: Flags.string({ description: 'SQL assignment(s), e.g. "total = price * qty" (an operator-supplied expression)', exclusive: ['sql'] }),
    where: Flags.string({ description: 'SQL condition limiting the rows updated (an operator-supplied expression)' }),
    sql: Flags.string({ description: 'file with one UPDATE using $1/$2 as the batch\'s first/last key (see docs/commands/backfill.md)' }),
    key: Flags.string({ description: 'unique NOT NULL indexed column(s) to walk, comma-separated (default: the primary key)' }),
    name: Flags.string({ description: 'name of this backfill in dbops.backfills (default: schema.table)' }),
    'batch-size': Flags.integer({ description: 'rows in the first batch (default 1000)' }),
    'max-batch-size': Flags.integer({ description: 'upper bound for the adaptive batch size (default 50000)' }),
    'target-batch-time': Flags.string({ description: 'adapt the batch size so a batch takes about this long; "off" keeps it fixed (default 100ms)' }),
    'max-rate': Flags.integer({ description: 'at most this many rows per second' }),
    sleep: Flags.string({ description: 'pause between batches, e.g. 50ms' }),
    'max-replica-lag': Flags.string({ description: 'pause while a replica is behind by more than this: seconds and/or bytes, e.g. 1s, 64MB or 2s,64MB' }),
    replica: Flags.string({ description: 'replica to watch for --max-replica-lag, NAME=URL (repeatable; default: config topology, else the primary\'s standbys)', multiple: true }),
    'lock-timeout': Flags.string({ description: 'lock_timeout per batch (default 1s, at most policy.maxLockTimeout)' }),
    'statement-timeout': Flags.string({ description: 'statement_timeout per batch (default 30s)' }),
    retries: Flags.integer({ description: 'retries of one batch on lock timeouts, deadlocks, serialization failures (default 10)' }),
    format: formatFlag(TEXT_OR_JSON, 'progress output; json: one JSON object per line'),
    'dry-run': Flags.boolean({ description: 'show the estimated rows, the batch SQL and the first batches; write nothing' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(BackfillRun);
    const { resolveSettings, settingsFromConfig } = await import('../../backfill/settings');
    const { runBackfill } = await import('../../backfill/start');
    const loaded = this.loadConfig(flags.config);
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
    process.exitCode = await runBackfill(
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
        dryRun: flags['dry-run'],
        format: flags.format,
        argv: process.argv.slice(2),
      },
      {
        out: (line) => process.stdout.write(line + '\n'),
        err: (line) => process.stderr.write(line + '\n'),
        terminal: flags.format === 'text' && process.stderr.isTTY ? process.stderr : null,
      },
    );
  }
}
