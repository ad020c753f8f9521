import { Flags } from '@oclif/core';
import { DbopsCommand } from '../../cli/base-command';
import { formatFlag } from '../../cli/format-flag';
import { TEXT_OR_JSON } from '../../output/formats';
import { listFlag } from '../../cli/list-flag';
import { urlFlag } from '../../cli/url-flag';
import { EXIT } from '../../core/exit-codes';

export default class TimeoutsCheck extends DbopsCommand {
  static override description =
    'Show the effective idle_in_transaction_session_timeout, statement_timeout, lock_timeout and idle_session_timeout for the server, every database and every login role in every database, and check them against the policy.';

  static override examples = [
    '<%= config.bin %> timeouts check --url postgres://admin@db:5432/postgres',
    '<%= config.bin %> timeouts check --max-idle-in-transaction 60s --exempt-role postgres',
    '<%= config.bin %> timeouts check --format json',
  ];

  static override flags = {
    url: urlFlag(),
    format: formatFlag(TEXT_OR_JSON),
    'max-idle-in-transaction': Flags.string({ description: 'policy: idle_in_transaction_session_timeout must be set and at most this (e.g. 60s); overrides timeouts.policy.idleInTransaction' }),
    'max-statement': Flags.string({ description: 'policy: statement_timeout must be set and at most this' }),
    'max-lock': Flags.string({ description: 'policy: lock_timeout must be set and at most this' }),
    'max-idle-session': Flags.string({ description: 'policy: idle_session_timeout must be set and at most this' }),
    'exempt-role': listFlag('a login role the policy does not apply to (adds to timeouts.policy.exemptRoles)'),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(TimeoutsCheck);
    const loaded = this.loadConfig(flags.config);
    const { resolvePolicy } = await import('../../timeouts/policy');
    const policy = resolvePolicy(
      loaded.config,
      {
        idleInTransaction: flags['max-idle-in-transaction'],
        statement: flags['max-statement'],
        lock: flags['max-lock'],
        idleSession: flags['max-idle-session'],
      },
      flags['exempt-role'],
      loaded.path,
    );
    const { withSession } = await import('../../db/connect');
    const { describeQueryError } = await import('../../db/query-errors');
    const { checkTimeouts } = await import('../../timeouts/check');
    const { renderCheck } = await import('../../timeouts/render');
    const result = await withSession(
      { url: flags.url ?? loaded.config.database?.url, applicationName: 'dbops timeouts check', readOnly: true },
      (s) => checkTimeouts(s.client, policy).catch((err) => {
        throw describeQueryError(err, 'reading the timeout settings', 'connect as a role that can read pg_settings, pg_roles and pg_db_role_setting');
      }),
    );
    process.stdout.write(renderCheck(flags.format, result));
    if (result.violations.length > 0) process.exitCode = EXIT.findings;
  }
}
