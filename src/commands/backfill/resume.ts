import { BackfillControlCommand } from '../../cli/backfill-control-command';

export default class BackfillResume extends BackfillControlCommand {
  static override description = 'Resume a paused backfill: its runner continues with the next batch.';
  static override examples = ['<%= config.bin %> backfill resume orders-total'];
  protected readonly action = 'resume';
}
