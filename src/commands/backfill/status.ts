import { Args, Flags } from '@oclif/core';
import { DbopsCommand } from '../../cli/base-command';

export default class BackfillStatus extends DbopsCommand {
  static override description = 'Show backfills from dbops.backfills: status, rows done, cursor, and whether a runner is attached.';
  static override examples = ['<%= config.bin %> backfill status', '<%= config.bin %> backfill status orders-total --format json'];
  static override args = { name: Args.string({ description: 'one backfill (default: all)' }) };
  static override flags = {
    url: Flags.string({ description: 'the database holding dbops.backfills (default: config database.url, DATABASE_URL, PG*)' }),
    format: Flags.string({ options: ['text', 'json'], default: 'text' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(BackfillStatus);
    const { backfillStatus, statusRecord } = await import('../../backfill/control');
    const loaded = this.loadConfig(flags.config);
    const records = (await backfillStatus(flags.url ?? loaded.config.database?.url, args.name)).map(statusRecord);
    if (flags.format === 'json') {
      this.log(JSON.stringify(args.name ? records[0] : records, null, 2));
      return;
    }
    if (records.length === 0) {
      this.log('no backfills yet');
      return;
    }
    for (const r of records) {
      const total = r.estimatedRows ? ` of ~${Math.max(r.estimatedRows, r.rowsScanned).toLocaleString('en-US')}` : '';
      this.log(`${r.name}  ${r.state}`);
      this.log(`  table ${r.table} key (${r.key.join(', ')}), ${r.rowsScanned.toLocaleString('en-US')}${total} rows walked, ${r.rowsDone.toLocaleString('en-US')} updated, ${r.batches} batches, ${r.elapsed}`);
      this.log(`  cursor ${r.cursor ? `(${r.cursor.join(', ')})` : 'at the start'}, owner ${r.owner ?? '-'}${r.runnerAttached ? ' (running now)' : ''}, updated ${r.updatedAt}`);
      if (r.error) this.log(`  error: ${r.error}`);
    }
  }
}
