import { Flags } from '@oclif/core';
import { DbopsCommand } from '../../cli/base-command';
import { formatFlag } from '../../cli/format-flag';
import { migrateConnectionFlags } from '../../migrate/flags';
import { MIGRATE_FORMATS } from '../../output/formats';

export default class MigratePlan extends DbopsCommand {
  static override description =
    'Print what `dbops migrate` would run next: per pending statement the locks it takes and whether it rewrites or scans the table. Executes nothing.';

  static override examples = ['<%= config.bin %> migrate plan', '<%= config.bin %> migrate plan --format json', '<%= config.bin %> migrate plan --verify local'];

  static override flags = {
    ...migrateConnectionFlags,
    'lock-timeout': Flags.string({ description: 'lock_timeout the run would use; may only lower policy.maxLockTimeout' }),
    format: formatFlag(MIGRATE_FORMATS),
    verify: Flags.string({ description: 'trace the pending statements on a scratch server primed with the live schema: a URL where dbops may create (and drops) a database, or local' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(MigratePlan);
    const { resolveMigrateSettings } = await import('../../migrate/settings');
    const { renderPlan } = await import('../../migrate/plan');
    const { lintOptionsFrom } = await import('../../lint/run');
    const loaded = this.loadConfig(flags.config);
    await renderPlan(resolveMigrateSettings(loaded, flags), lintOptionsFrom(loaded, {}), flags.format, flags.verify);
  }
}
