import { Args, Flags } from '@oclif/core';
import { DbopsCommand } from './base-command';

/** pause, resume and cancel: one name in, one state-row change, one line out. */
export abstract class BackfillControlCommand extends DbopsCommand {
  static override args = { name: Args.string({ description: 'the backfill (see dbops backfill status)', required: true }) };
  static override flags = {
    url: Flags.string({ description: 'the database holding dbops.backfills (default: config database.url, DATABASE_URL, PG*)' }),
  };

  protected abstract readonly action: 'pause' | 'resume' | 'cancel';

  async run(): Promise<void> {
    const { args, flags } = await this.parse(BackfillControlCommand);
    const { controlBackfill } = await import('../backfill/control');
    const loaded = this.loadConfig(flags.config);
    this.log(await controlBackfill(flags.url ?? loaded.config.database?.url, args.name, this.action));
  }
}
