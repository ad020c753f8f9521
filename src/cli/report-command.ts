import { Flags } from '@oclif/core';
import { DbopsCommand } from './base-command';
import { UsageError } from '../core/errors';
import { reportError } from './report-error';
import { parseDuration } from '../util/duration';
import { STATUS_EXIT_CODE } from '../reports/status';
import type { Topology, TopologyFlags } from '../replication/topology';
import type { Rendered } from '../reports/watch';
import type { NodeTimeouts } from '../replication/node-session';
import { REPORT_FORMATS, type ReportFormat } from '../output/formats';
import { formatFlag } from './format-flag';

/**
 * Base of `dbops report lag|connections|workload`: the topology, format, timeout and watch flags they
 * share, and the monitoring exit codes — bad flags or configuration are UNKNOWN (3), not 2.
 * Kept free of heavy imports: the commands load the report code inside run().
 */
export abstract class ReportCommand extends DbopsCommand {
  static override baseFlags = {
    ...DbopsCommand.baseFlags,
    primary: Flags.string({ description: 'primary URL (with no replicas given, its connected direct standbys are discovered; a disconnected one is invisible, so pass --replica for each standby)', helpGroup: 'TOPOLOGY' }),
    replica: Flags.string({ description: 'replica as NAME=URL; repeat for each standby and cascade', multiple: true, helpGroup: 'TOPOLOGY' }),
    format: formatFlag(REPORT_FORMATS),
    watch: Flags.string({ description: 'redraw every INTERVAL (e.g. 2s) until interrupted' }),
    'connect-timeout': Flags.string({ description: 'per-node connect timeout', default: '5s' }),
    'statement-timeout': Flags.string({ description: 'per-node statement timeout', default: '5s' }),
    concurrency: Flags.integer({ description: 'nodes queried at once (a dead or hanging node holds one slot for its own timeout)', default: 16, min: 1 }),
    problems: Flags.boolean({ description: 'show only the nodes that are not OK (the summary still counts every node)', default: false }),
  };

  protected override usageExitCode = STATUS_EXIT_CODE.UNKNOWN;

  /**
   * Resolves the topology (flags, else config) and runs `produce` once, or every --watch interval,
   * setting the monitoring exit code. Report code is loaded here, not at CLI start-up.
   */
  protected async runReportWith(flags: CommonReportFlags & { config?: string }, produce: (topology: Topology, common: CommonOptions) => Promise<Rendered>): Promise<void> {
    const { resolveTopology } = await import('../replication/topology');
    const { runReport } = await import('../reports/watch');
    const common = commonOptions(flags);
    const loaded = this.loadConfig(flags.config);
    const topology = resolveTopology(topologyFlags(flags), loaded.config, loaded.path);
    process.exitCode = await runReport(() => produce(topology, common), { watchMs: common.watchMs });
  }

  protected override async catch(err: Error & { exitCode?: number }): Promise<void> {
    this.parsed = true;
    // A UsageError from our own validation carries exit code 2; in monitoring terms that is UNKNOWN.
    process.exitCode = err instanceof UsageError ? (reportError(err), STATUS_EXIT_CODE.UNKNOWN) : reportError(err, this.usageExitCode);
  }
}

export interface CommonReportFlags {
  primary?: string;
  replica?: string[];
  pgbouncer?: string[];
  format: ReportFormat;
  watch?: string;
  'connect-timeout': string;
  'statement-timeout': string;
  concurrency: number;
  problems: boolean;
}

function topologyFlags(flags: CommonReportFlags): TopologyFlags {
  return { primary: flags.primary, replicas: flags.replica, pgbouncers: flags.pgbouncer };
}

export interface CommonOptions {
  format: ReportFormat;
  watchMs?: number;
  timeouts: NodeTimeouts & { concurrency: number };
  problemsOnly: boolean;
}

function commonOptions(flags: CommonReportFlags): CommonOptions {
  const watchMs = flags.watch === undefined ? undefined : parseDuration(flags.watch, '--watch interval');
  if (watchMs !== undefined && watchMs < 100) throw new UsageError(`--watch ${flags.watch} is too short`, 'use an interval of at least 100ms, e.g. --watch 2s');
  return {
    format: flags.format,
    watchMs,
    timeouts: {
      connectTimeoutMs: parseDuration(flags['connect-timeout'], '--connect-timeout'),
      statementTimeoutMs: parseDuration(flags['statement-timeout'], '--statement-timeout'),
      concurrency: flags.concurrency,
    },
    problemsOnly: flags.problems,
  };
}
