import { BackfillControlCommand } from '../../cli/backfill-control-command';

export default class BackfillPause extends BackfillControlCommand {
  static override description = 'Pause a backfill: its runner stops before the next batch and waits until `dbops backfill resume`.';
  static override examples = ['<%= config.bin %> backfill pause orders-total'];
  protected readonly action = 'pause';
}
