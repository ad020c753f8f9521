import { Flags } from '@oclif/core';
import { DbopsCommand } from '../../cli/base-command';
import { listFlag } from '../../cli/list-flag';
import { urlFlag } from '../../cli/url-flag';
import { UsageError } from '../../core/errors';
import { EXIT } from '../../core/exit-codes';
import { formatFlag } from '../../cli/format-flag';
import { AUDIT_FORMATS } from '../../output/formats';

export default class AuditQueries extends DbopsCommand {
  static override description =
    'Find queries that join too many tables: counts the base tables each statement reads (through subqueries, CTEs, LATERAL and UNION), groups them by fingerprint and ranks them, from pg_stat_statements, server logs, SQL files or standard input.';

  static override examples = [
    '<%= config.bin %> audit queries --from-db --url postgres://monitor@db:5432/app',
    '<%= config.bin %> audit queries --log /var/log/postgresql/postgresql-15-main.log.1.gz',
    '<%= config.bin %> audit queries --file captured/*.sql --format sarif > audit.sarif',
    'orm-capture | <%= config.bin %> audit queries --max-joins 6',
  ];

  static override flags = {
    'from-db': Flags.boolean({ description: 'read pg_stat_statements (primary or replica)' }),
    url: urlFlag(' for --from-db'),
    log: listFlag('PostgreSQL server log (stderr, csvlog or jsonlog; gzip is detected)'),
    'log-format': Flags.string({ options: ['auto', 'stderr', 'csvlog', 'jsonlog'], default: 'auto', description: 'log format (auto: detected from the first line)' }),
    file: listFlag('SQL file or directory of .sql files; "-" is standard input'),
    'max-joins': Flags.integer({ min: 1, description: 'warning when a query joins more tables than this (default 8, or audit.maxJoins.warning)' }),
    'max-joins-error': Flags.integer({ min: 1, description: 'error (exit 1) when a query joins this many tables or more (default 12, or audit.maxJoins.error)' }),
    format: formatFlag(AUDIT_FORMATS, 'output format (sarif: file input only)'),
    limit: Flags.integer({ min: 1, default: 20, description: 'rows in the table output' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(AuditQueries);
    const loaded = this.loadConfig(flags.config);
    const { resolveThresholds } = await import('../../audit/thresholds');
    const thresholds = resolveThresholds(loaded.config, { warning: flags['max-joins'], error: flags['max-joins-error'] }, loaded.path);
    const files = [...flags.file];
    const hasSource = flags['from-db'] || flags.log.length > 0 || files.length > 0;
    if (!hasSource) {
      if (process.stdin.isTTY) throw new UsageError('no input', 'pass --from-db, --log FILE, --file FILE, or pipe SQL into standard input');
      files.push('-');
    }
    if (flags.format === 'sarif' && (flags['from-db'] || flags.log.length > 0)) {
      throw new UsageError('--format sarif needs file input', 'SARIF points at lines in files: use it with --file or standard input; use --format json for logs and pg_stat_statements');
    }
    const { runAudit } = await import('../../audit/run');
    const { renderAudit } = await import('../../audit/render');
    const run = await runAudit({
      fromDb: flags['from-db'] ? { url: flags.url ?? loaded.config.database?.url } : undefined,
      logs: flags.log,
      logFormat: flags['log-format'] as 'auto' | 'stderr' | 'csvlog' | 'jsonlog',
      files,
      thresholds,
    });
    const onlyStdin = !flags['from-db'] && flags.log.length === 0 && files.every((f) => f === '-');
    if (onlyStdin && run.statements === 0) {
      throw new UsageError('no input: standard input was empty', 'pass --from-db, --log FILE or --file FILE, or pipe SQL into standard input');
    }
    process.stdout.write(renderAudit(flags.format, run, flags.limit));
    if (run.queries.some((q) => q.severity === 'error')) process.exitCode = EXIT.findings;
  }
}
