import { DbopsCommand } from '../../cli/base-command';
import { oclifFlags } from '../../cli/oclif-flags';
import { BACKFILL_RUN_FLAGS } from '../../cli/backfill-flags';
import { runBackfillCommand, type BackfillRunFlags } from '../../cli/run-backfill';

export default class BackfillRun extends DbopsCommand {
  static override description = `Update a large table in small keyset batches: throttled, lag-aware, resumable, exactly once per row.
--set and --where are SQL expressions you supply; they are checked with the PostgreSQL parser and planned before anything is written.
Rerunning the same command resumes; SIGINT/SIGTERM finishes or rolls back the current batch, saves the state and exits 130.`;

  static override examples = [
    `<%= config.bin %> backfill run --table orders --set "total_cents = price_cents * qty" --where "total_cents IS NULL"`,
    '<%= config.bin %> backfill run --table events --set "tenant_id = legacy_tenant" --max-replica-lag 2s,64MB --replica standby1=postgres://…',
    '<%= config.bin %> backfill run --table users --sql fill-email-lower.sql --name users-email-lower --dry-run',
  ];

  static override flags = oclifFlags(BACKFILL_RUN_FLAGS);

  async run(): Promise<void> {
    const { flags } = await this.parse(BackfillRun);
    process.exitCode = await runBackfillCommand(flags as unknown as BackfillRunFlags);
  }
}
