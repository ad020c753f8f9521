import { Flags } from '@oclif/core';
import { DbopsCommand } from '../../cli/base-command';
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
    format: Flags.string({ options: ['table', 'json'], default: 'table', description: 'output format' }),
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
    const { describeQueryError } = await import('../../db/query-errors');
    const { listIdleInTransaction, terminateSessions } = await import('../../timeouts/idle-sessions');
    const render = await import('../../timeouts/render');
    const filter = { olderThanMs, roles: flags.role, databases: flags.database };
    await withSession({ url: flags.url ?? loaded.config.database?.url, applicationName: 'dbops sessions idle', readOnly: true }, async (s) => {
      const listing = await listIdleInTransaction(s.client, filter, flags['include-superusers']).catch((err) => {
        throw describeQueryError(err, 'listing sessions', 'connect as a role with pg_read_all_stats (or a superuser)');
      });
      if (!flags.terminate) {
        this.log(flags.format === 'json' ? JSON.stringify(render.idleJson(listing), null, 2) : render.renderIdleTable(listing));
        return;
      }
      const eligible = listing.sessions.filter((x) => !x.skipReason);
      if (flags.format !== 'json') this.log(render.renderIdleTable(listing));
      if (eligible.length > 0 && !flags.yes && !(await confirm(`Terminate ${eligible.length} session(s) (pids ${eligible.map((x) => x.pid).join(', ')})? [y/N] `))) {
        this.log('Not confirmed: no session was terminated.');
        return;
      }
      const terminated = await terminateSessions(s.client, listing.sessions).catch((err) => {
        throw describeQueryError(err, 'terminating sessions', 'connect as a superuser or a member of pg_signal_backend (superusers\' sessions need a superuser)');
      });
      if (flags.format === 'json') {
        this.log(JSON.stringify(render.idleJson(listing, terminated), null, 2));
        return;
      }
      this.log(`Terminated ${terminated.length} session(s)${terminated.length ? `: ${terminated.join(', ')}` : ''}.`);
      const moved = eligible.filter((x) => !terminated.includes(x.pid));
      if (moved.length > 0) this.log(`Left alone ${moved.length} session(s) that ended or left their transaction meanwhile: ${moved.map((x) => x.pid).join(', ')}.`);
      for (const x of listing.sessions.filter((y) => y.skipReason)) this.log(`Skipped ${x.pid}: ${x.skipReason}.`);
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
