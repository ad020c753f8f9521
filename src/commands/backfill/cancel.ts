import { BackfillControlCommand } from '../../cli/backfill-control-command';

export default class BackfillCancel extends BackfillControlCommand {
  static override description = 'Cancel a backfill: its runner stops before the next batch; rows already updated stay updated.';
  static override examples = ['<%= config.bin %> backfill cancel orders-total'];
  protected readonly action = 'cancel';
}
