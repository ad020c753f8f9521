import { DbopsCommand } from '../../cli/base-command';
import { formatFlag } from '../../cli/format-flag';
import { migrateConnectionFlags } from '../../migrate/flags';
import { MIGRATE_FORMATS } from '../../output/formats';

export default class MigrateStatus extends DbopsCommand {
  static override description =
    'List applied, pending, changed-after-apply and missing migrations. Exits 1 when an applied migration was changed after being applied.';

  static override examples = ['<%= config.bin %> migrate status', '<%= config.bin %> migrate status --format json'];

  static override flags = {
    ...migrateConnectionFlags,
    format: formatFlag(MIGRATE_FORMATS),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(MigrateStatus);
    const { resolveMigrateSettings } = await import('../../migrate/settings');
    const { readMigrationStatus } = await import('../../migrate/read-status');
    const { renderMigrateStatus } = await import('../../migrate/render-status');
    const { EXIT } = await import('../../core/exit-codes');
    const settings = resolveMigrateSettings(this.loadConfig(flags.config), flags);
    const status = await readMigrationStatus(settings);
    process.stdout.write(renderMigrateStatus(flags.format, status));
    if (status.changed.length > 0) process.exitCode = EXIT.findings;
  }
}
