import { Flags } from '@oclif/core';
import { DbopsCommand } from '../../cli/base-command';
import { formatFlag } from '../../cli/format-flag';
import { TEXT_OR_JSON } from '../../output/formats';
import { listFlag } from '../../cli/list-flag';
import { urlFlag } from '../../cli/url-flag';
import { UsageError } from '../../core/errors';

export default class SessionsIdle extends DbopsCommand {
  static override description =
    'List sessions that are idle inside a transaction (holding locks and an old snapshot) and, with --terminate, end them with pg_terminate_backend. Never ends our own session, replication or background processes, or superusers\' sessions unless --include-superusers.';

  static override examples = [
    '<%= config.bin %> sessions idle',
    '<%= config.bin %> sessions idle --older-than 5min --format json',
    '<%= config.bin %> sessions idle --older-than 10min --role app --terminate --yes',
  ];

  static override flags = {
    url: urlFlag(),
    'older-than': Flags.string({ description: 'only sessions idle for at least this long (500ms, 30s, 5min, 1h; above 0); default: every idle-in-transaction session' }),
    role: listFlag('only sessions of this role'),
    database: listFlag('only sessions in this database'),
    terminate: Flags.boolean({ description: 'end the listed sessions with pg_terminate_backend (asks first unless --yes)' }),
    yes: Flags.boolean({ description: 'do not ask for confirmation (needed with --terminate when stdin is not a terminal)' }),
    'include-superusers': Flags.boolean({ description: 'let --terminate end superusers\' sessions too' }),
    format: formatFlag(TEXT_OR_JSON),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(SessionsIdle);
    const loaded = this.loadConfig(flags.config);
    const { parseDuration } = await import('../../util/duration');
    const olderThanMs = flags['older-than'] === undefined ? 0 : parseDuration(flags['older-than'], '--older-than');
    if (flags['older-than'] !== undefined && olderThanMs <= 0) {
      // Explicit 0 reads as "no limit" but selects transactions paused between two statements too; leaving the flag out says that on purpose.
      throw new UsageError('--older-than must be above 0', 'give a threshold such as 30s, or leave --older-than out to list every idle-in-transaction session');
    }
    const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
    if (flags.terminate && !flags.yes && !interactive) {
      throw new UsageError('--terminate needs confirmation, and stdin is not a terminal', 'add --yes to terminate without asking');
    }
    const { withSession } = await import('../../db/connect');
    const { runIdleSessions } = await import('../../timeouts/idle-sessions');
    const { renderIdleOutcome, renderIdleTable } = await import('../../timeouts/render');
    await withSession({ url: flags.url ?? loaded.config.database?.url, applicationName: 'dbops sessions idle', readOnly: true }, async (s) => {
      const run = await runIdleSessions(s.client, {
        filter: { olderThanMs, roles: flags.role, databases: flags.database },
        includeSuperusers: flags['include-superusers'],
        terminate: flags.terminate,
        onListing: (listing) => {
          // The table first, so the question below refers to what is on screen.
          if (flags.format === 'text') this.log(renderIdleTable(listing));
        },
        confirm: flags.yes ? undefined : (eligible) => confirm(`Terminate ${eligible.length} session(s) (pids ${eligible.map((x) => x.pid).join(', ')})? [y/N] `),
      });
      process.stdout.write(renderIdleOutcome(flags.format, run));
    });
  }
}

async function confirm(question: string): Promise<boolean> {
  const readline = await import('node:readline/promises');
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}
