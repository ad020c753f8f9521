import { UsageError } from '../core/errors';
import { loadConfig } from '../config/load';
import { parseDuration } from '../util/duration';
import { canonicalFormat, type ReportFormat } from '../output/formats';
import { STATUS_EXIT_CODE } from '../reports/status';
import type { Rendered } from '../reports/watch';
import type { Topology, TopologyFlags } from '../replication/topology';
import type { NodeTimeouts } from '../replication/node-session';
import { reportError } from './report-error';

/**
 * The work of `dbops report lag|connections|workload` after flag parsing, shared by the oclif
 * commands and the start-up fast path (fast-report.ts); free of oclif. Report code is loaded
 * when a report runs, not at CLI start-up.
 */

export interface CommonReportFlags {
  config?: string;
  primary?: string;
  replica?: string[];
  pgbouncer?: string[];
  format: string;
  watch?: string;
  'connect-timeout': string;
  'statement-timeout': string;
  concurrency: number;
  problems?: boolean;
}

export interface CommonOptions {
  format: ReportFormat;
  watchMs?: number;
  timeouts: NodeTimeouts & { concurrency: number };
  problemsOnly: boolean;
}

/**
 * Resolves the topology (flags, else config) and runs `produce` once, or every --watch interval;
 * returns the monitoring exit code of the last snapshot.
 */
export async function runTopologyReport(flags: CommonReportFlags, produce: (topology: Topology, common: CommonOptions) => Promise<Rendered>): Promise<number> {
  const { resolveTopology } = require('../replication/topology') as typeof import('../replication/topology');
  const { runReport } = require('../reports/watch') as typeof import('../reports/watch');
  const common = commonOptions(flags);
  const loaded = loadConfig({ explicitPath: flags.config, cwd: process.cwd() });
  const topology = resolveTopology(topologyFlags(flags), loaded.config, loaded.path);
  return runReport(() => produce(topology, common), { watchMs: common.watchMs });
}

export interface LagFlags extends CommonReportFlags {
  warn: string;
  critical: string;
  'warn-bytes'?: string;
  'critical-bytes'?: string;
}

export async function runLagReport(flags: LagFlags): Promise<number> {
  const { parseLagThresholds } = require('../reports/lag/evaluate') as typeof import('../reports/lag/evaluate');
  const { produceLagReport } = require('../reports/lag/report') as typeof import('../reports/lag/report');
  const thresholds = parseLagThresholds({ warn: flags.warn, critical: flags.critical, warnBytes: flags['warn-bytes'], criticalBytes: flags['critical-bytes'] });
  return runTopologyReport(flags, (topology, { timeouts, format, problemsOnly }) => produceLagReport(topology, thresholds, timeouts, format, { problemsOnly }));
}

export interface ConnectionsFlags extends CommonReportFlags {
  warn: string;
  critical: string;
  limit: number;
  top: number;
}

export async function runConnectionsReport(flags: ConnectionsFlags): Promise<number> {
  const { parseConnectionThresholds } = require('../reports/connections/evaluate') as typeof import('../reports/connections/evaluate');
  const { produceConnectionsReport } = require('../reports/connections/report') as typeof import('../reports/connections/report');
  const thresholds = parseConnectionThresholds(flags.warn, flags.critical);
  return runTopologyReport(flags, (topology, { timeouts, format, problemsOnly }) =>
    produceConnectionsReport(topology, thresholds, { ...timeouts, limit: flags.limit, top: flags.top }, format, { problemsOnly }),
  );
}

/**
 * Prints a report's failure in one line and returns its exit code: bad flags or configuration
 * are UNKNOWN (3) in monitoring terms, not the usual 2.
 */
export function reportFailure(err: unknown): number {
  if (err instanceof UsageError) {
    reportError(err);
    return STATUS_EXIT_CODE.UNKNOWN;
  }
  return reportError(err, STATUS_EXIT_CODE.UNKNOWN);
}

function topologyFlags(flags: CommonReportFlags): TopologyFlags {
  return { primary: flags.primary, replicas: flags.replica, pgbouncers: flags.pgbouncer };
}

function commonOptions(flags: CommonReportFlags): CommonOptions {
  const watchMs = flags.watch === undefined ? undefined : parseDuration(flags.watch, '--watch interval');
  if (watchMs !== undefined && watchMs < 100) throw new UsageError(`--watch ${flags.watch} is too short`, 'use an interval of at least 100ms, e.g. --watch 2s');
  return {
    format: canonicalFormat(flags.format) as ReportFormat,
    watchMs,
    timeouts: {
      connectTimeoutMs: parseDuration(flags['connect-timeout'], '--connect-timeout'),
      statementTimeoutMs: parseDuration(flags['statement-timeout'], '--statement-timeout'),
      concurrency: flags.concurrency,
    },
    problemsOnly: flags.problems === true,
  };
}
