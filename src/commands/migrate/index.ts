import { Flags } from '@oclif/core';
import { DbopsCommand } from '../../cli/base-command';
import { formatFlag } from '../../cli/format-flag';
import { migrateConnectionFlags } from '../../migrate/flags';
import { MIGRATE_FORMATS } from '../../output/formats';

export default class Migrate extends DbopsCommand {
  static override description =
    'Apply pending migrations: one runner at a time; waits out sessions holding a conflicting lock without queueing behind them, then tries under short lock timeouts doubling up to the policy maximum (5 s by default), with retries, backoff and the blocking session named.';

  static override examples = [
    '<%= config.bin %> migrate',
    '<%= config.bin %> migrate --lock-timeout 2s --retries 10 --wait',
    '<%= config.bin %> migrate --format json --url postgres://deploy@db-primary:5432/app',
    '<%= config.bin %> migrate --dry-run',
  ];

  static override flags = {
    ...migrateConnectionFlags,
    'lock-timeout': Flags.string({ description: 'the cap on each attempt\'s lock_timeout; may only lower policy.maxLockTimeout (default: that maximum, 5s)' }),
    'lock-timeout-start': Flags.string({ description: 'the first attempt\'s lock_timeout; doubled per attempt, with jitter, up to --lock-timeout (default: migrations.lockTimeoutStart, else 100ms)' }),
    'lock-wait-budget': Flags.string({ description: 'give up when a file (or a statement, outside a transaction) has waited this long for its locks in all (default: migrations.lockWaitBudget, else 2min)' }),
    'watch-holders': Flags.boolean({
      description: 'wait, without queueing, while another session holds a conflicting lock; --no-watch-holders attempts at once and queues',
      default: true,
      allowNo: true,
    }),
    'statement-timeout': Flags.string({ description: 'statement_timeout for each statement, 0 for none (default: migrations.statementTimeout, else 15min)' }),
    retries: Flags.integer({ description: 'retries after a lock timeout or deadlock (default: migrations.retries, else 5)', min: 0, max: 100 }),
    'retry-delay': Flags.string({ description: 'first backoff delay after a failed attempt; doubles per retry, with jitter', default: '200ms' }),
    wait: Flags.boolean({ description: 'if another dbops migrate is running, wait for it instead of exiting' }),
    'wait-timeout': Flags.string({ description: 'with --wait: give up after this long', dependsOn: ['wait'] }),
    'allow-changed': Flags.boolean({ description: 'continue even though applied migrations changed after being applied' }),
    'dry-run': Flags.boolean({ description: 'print the plan (same as `dbops migrate plan`) and execute nothing' }),
    format: formatFlag(MIGRATE_FORMATS),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Migrate);
    const os = await import('node:os');
    const { resolveMigrateSettings } = await import('../../migrate/settings');
    const { parseDuration } = await import('../../util/duration');
    const loaded = this.loadConfig(flags.config);
    const settings = resolveMigrateSettings(loaded, flags);
    const { format } = flags;
    const { lintOptionsFrom } = await import('../../lint/run');
    if (flags['dry-run']) {
      const { renderPlan } = await import('../../migrate/plan');
      await renderPlan(settings, lintOptionsFrom(loaded, {}), format);
      return;
    }
    const waitTimeoutMs = flags['wait-timeout'] !== undefined ? parseDuration(flags['wait-timeout'], '--wait-timeout') : undefined;
    const { applyMigrations } = await import('../../migrate/apply');
    const { MigrateReporter } = await import('../../migrate/report');
    const { DbopsError } = await import('../../core/errors');
    const { wantsColor } = await import('../../output/lint/index');
    const reporter = new MigrateReporter(format);
    const abort = new AbortController();
    // The first Ctrl-C cancels and rolls back cleanly; a second one means "now".
    const onSignal = () => (abort.signal.aborted ? process.exit(130) : abort.abort());
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      await applyMigrations({
        settings,
        allowChanged: flags['allow-changed'],
        wait: flags.wait,
        waitTimeoutMs,
        dbopsVersion: this.config.version,
        appliedFrom: `${osUser(os)}@${os.hostname()}`,
        signal: abort.signal,
        onEvent: reporter.onEvent,
        lint: lintOptionsFrom(loaded, {}),
        color: wantsColor(process.stderr),
      });
      reporter.finish();
    } catch (err) {
      const e = err instanceof DbopsError ? err : new DbopsError(`internal error: ${(err as Error).message}`);
      reporter.finish({ message: e.message, hint: e.hint, exitCode: e.exitCode });
      throw err;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}

/** The OS user name; containers often run as a uid with no passwd entry, where userInfo() throws. */
function osUser(os: typeof import('node:os')): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? `uid ${process.getuid?.() ?? '?'}`;
  }
}
