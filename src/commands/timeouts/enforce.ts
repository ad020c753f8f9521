import { Flags } from '@oclif/core';
import { DbopsCommand } from '../../cli/base-command';
import { formatFlag } from '../../cli/format-flag';
import { TEXT_OR_JSON } from '../../output/formats';
import { listFlag } from '../../cli/list-flag';
import { urlFlag } from '../../cli/url-flag';
import { UsageError } from '../../core/errors';

export default class TimeoutsEnforce extends DbopsCommand {
  static override description =
    'Set idle_in_transaction_session_timeout (and optionally the other session timeouts) on roles and databases with ALTER ROLE/DATABASE … SET. Prints the plan; changes nothing without --apply. Running it again changes nothing.';

  static override examples = [
    '<%= config.bin %> timeouts enforce --idle-in-transaction 60s --all-login-roles',
    '<%= config.bin %> timeouts enforce --idle-in-transaction 30s --role app --database shop --apply',
    '<%= config.bin %> timeouts enforce --idle-in-transaction 5min --database reporting --apply',
  ];

  static override flags = {
    url: urlFlag(),
    'idle-in-transaction': Flags.string({ description: 'idle_in_transaction_session_timeout to set (with a unit: 30s, 5min, 1h; 0 disables it)' }),
    'statement-timeout': Flags.string({ description: 'statement_timeout to set as well' }),
    'lock-timeout': Flags.string({ description: 'lock_timeout to set as well' }),
    'idle-session-timeout': Flags.string({ description: 'idle_session_timeout to set as well' }),
    role: listFlag('role to change (ALTER ROLE … SET; with --database: ALTER ROLE … IN DATABASE … SET)'),
    database: listFlag('database to change (alone: ALTER DATABASE … SET)'),
    'all-login-roles': Flags.boolean({ description: 'every login role except timeouts.policy.exemptRoles and --exclude-role' }),
    'exclude-role': listFlag('a role --all-login-roles leaves alone'),
    apply: Flags.boolean({ description: 'execute the plan (without it, only print it)' }),
    format: formatFlag(TEXT_OR_JSON),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(TimeoutsEnforce);
    const loaded = this.loadConfig(flags.config);
    const { parseTimeoutLimit, resolvePolicy } = await import('../../timeouts/policy');
    const flagSettings = {
      'idle-in-transaction': 'idle_in_transaction_session_timeout',
      'statement-timeout': 'statement_timeout',
      'lock-timeout': 'lock_timeout',
      'idle-session-timeout': 'idle_session_timeout',
    } as const;
    const values: Partial<Record<(typeof flagSettings)[keyof typeof flagSettings], number>> = {};
    for (const [flag, setting] of Object.entries(flagSettings) as [keyof typeof flagSettings, (typeof flagSettings)[keyof typeof flagSettings]][]) {
      const text = flags[flag];
      if (text !== undefined) values[setting] = parseTimeoutLimit(text, `--${flag}`);
    }
    if (Object.keys(values).length === 0) throw new UsageError('nothing to set', 'pass --idle-in-transaction <duration>, e.g. --idle-in-transaction 60s');
    const exemptRoles = resolvePolicy(loaded.config, {}, flags['exclude-role'], loaded.path).exemptRoles;
    const { withSession } = await import('../../db/connect');
    const { enforceTimeouts } = await import('../../timeouts/enforce');
    const { renderEnforce } = await import('../../timeouts/render');
    await withSession({ url: flags.url ?? loaded.config.database?.url, applicationName: 'dbops timeouts enforce' }, async (s) => {
      const { plan, applied } = await enforceTimeouts(
        s.client,
        { values, roles: flags.role, databases: flags.database, allLoginRoles: flags['all-login-roles'], exemptRoles },
        // oclif leaves a boolean flag that was not given undefined, whatever its type says.
        flags.apply === true,
      );
      process.stdout.write(renderEnforce(flags.format, plan, applied));
    });
  }
}
