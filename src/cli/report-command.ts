import { DbopsCommand } from './base-command';
import { oclifFlags } from './oclif-flags';
import { REPORT_FLAGS } from './report-flags';
import { reportFailure, runTopologyReport, type CommonOptions, type CommonReportFlags } from './run-reports';
import { STATUS_EXIT_CODE } from '../reports/status';
import type { Topology } from '../replication/topology';
import type { Rendered } from '../reports/watch';

/**
 * Base of `dbops report lag|connections|workload`: the topology, format, timeout and watch flags they
 * share, and the monitoring exit codes — bad flags or configuration are UNKNOWN (3), not 2.
 * Kept free of heavy imports: the work is in run-reports.ts, which loads the report code.
 */
export abstract class ReportCommand extends DbopsCommand {
  static override baseFlags = { ...DbopsCommand.baseFlags, ...oclifFlags(REPORT_FLAGS) };

  protected override usageExitCode = STATUS_EXIT_CODE.UNKNOWN;

  /** Runs `produce` once, or every --watch interval, and sets the monitoring exit code. */
  protected async runReportWith(flags: CommonReportFlags, produce: (topology: Topology, common: CommonOptions) => Promise<Rendered>): Promise<void> {
    process.exitCode = await runTopologyReport(flags, produce);
  }

  protected override async catch(err: Error & { exitCode?: number }): Promise<void> {
    this.parsed = true;
    process.exitCode = reportFailure(err);
  }
}
