import { Args, Flags } from '@oclif/core';
import { DbopsCommand } from '../../cli/base-command';

export default class BackfillResume extends DbopsCommand {
  static override description = 'Resume a paused backfill: its runner continues with the next batch.';
  static override examples = ['<%= config.bin %> backfill resume orders-total'];
  static override args = { name: Args.string({ description: 'the backfill (see dbops backfill status)', required: true }) };
  static override flags = {
    url: Flags.string({ description: 'the database holding dbops.backfills (default: config database.url, DATABASE_URL, PG*)' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(BackfillResume);
    const { controlBackfill } = await import('../../backfill/control');
    const loaded = this.loadConfig(flags.config);
    this.log(await controlBackfill(flags.url ?? loaded.config.database?.url, args.name, 'resume'));
  }
}
