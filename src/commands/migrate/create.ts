import { Args, Flags } from '@oclif/core';
import { DbopsCommand } from '../../cli/base-command';

export default class MigrateCreate extends DbopsCommand {
  static override description = 'Write a new, empty migration file named <UTC timestamp>_<name>.sql in the migrations directory.';

  static override examples = ['<%= config.bin %> migrate create add_accounts_email', '<%= config.bin %> migrate create "backfill totals" --dir db/migrations'];

  static override args = {
    name: Args.string({ description: 'what the migration does, e.g. add_accounts_email', required: true }),
  };

  static override flags = {
    dir: Flags.string({ description: 'migrations directory (default: migrations.dir in config, else ./migrations)' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(MigrateCreate);
    const path = await import('node:path');
    const { resolveMigrateSettings } = await import('../../migrate/settings');
    const { createMigrationFile } = await import('../../migrate/create');
    const settings = resolveMigrateSettings(this.loadConfig(flags.config), { dir: flags.dir });
    const file = createMigrationFile(settings.dir, args.name);
    this.log(path.relative(process.cwd(), file) || file);
  }
}
