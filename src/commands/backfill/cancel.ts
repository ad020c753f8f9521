import { Args, Flags } from '@oclif/core';
import { DbopsCommand } from '../../cli/base-command';

export default class BackfillCancel extends DbopsCommand {
  static override description = 'Cancel a backfill: its runner stops before the next batch; rows already updated stay updated.';
  static override examples = ['<%= config.bin %> backfill cancel orders-total'];
  static override args = { name: Args.string({ description: 'the backfill (see dbops backfill status)', required: true }) };
  static override flags = {
    url: Flags.string({ description: 'the database holding dbops.backfills (default: config database.url, DATABASE_URL, PG*)' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(BackfillCancel);
    const { controlBackfill } = await import('../../backfill/control');
    const loaded = this.loadConfig(flags.config);
    this.log(await controlBackfill(flags.url ?? loaded.config.database?.url, args.name, 'cancel'));
  }
}
