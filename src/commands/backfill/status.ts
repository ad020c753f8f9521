import { Args, Flags } from '@oclif/core';
import { DbopsCommand } from '../../cli/base-command';
import { formatFlag } from '../../cli/format-flag';
import { TEXT_OR_JSON } from '../../output/formats';

export default class BackfillStatus extends DbopsCommand {
  static override description = 'Show backfills from dbops.backfills: status, rows done, cursor, and whether a runner is attached.';
  static override examples = ['<%= config.bin %> backfill status', '<%= config.bin %> backfill status orders-total --format json'];
  static override args = { name: Args.string({ description: 'one backfill (default: all)' }) };
  static override flags = {
    url: Flags.string({ description: 'the database holding dbops.backfills (default: config database.url, DATABASE_URL, PG*)' }),
    format: formatFlag(TEXT_OR_JSON),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(BackfillStatus);
    const { backfillStatus } = await import('../../backfill/control');
    const { renderBackfillStatus } = await import('../../backfill/render-status');
    const loaded = this.loadConfig(flags.config);
    const states = await backfillStatus(flags.url ?? loaded.config.database?.url, args.name);
    process.stdout.write(renderBackfillStatus(flags.format, states, args.name !== undefined));
  }
}
