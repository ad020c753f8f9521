import { parseSimpleArgv, type FlagSpec } from './fast-path';
import { CONNECTIONS_FLAGS, LAG_FLAGS, REPORT_FLAGS } from './report-flags';
import { reportFailure, runConnectionsReport, runLagReport, type ConnectionsFlags, type LagFlags } from './run-reports';

/**
 * `dbops report lag|connections …` without oclif when the invocation is plain (loading oclif
 * and every command is ~150 ms of CPU, a quarter of a report over fifty nodes); undefined hands
 * it to oclif (help, unknown flags, bad values, other reports).
 */
const FAST_REPORTS: Record<string, { flags: Record<string, FlagSpec>; run: (flags: never) => Promise<number> }> = {
  lag: { flags: LAG_FLAGS, run: (flags: LagFlags) => runLagReport(flags) },
  connections: { flags: CONNECTIONS_FLAGS, run: (flags: ConnectionsFlags) => runConnectionsReport(flags) },
};

export async function fastReport(argv: readonly string[]): Promise<number | undefined> {
  const report = Object.hasOwn(FAST_REPORTS, argv[0] ?? '') ? FAST_REPORTS[argv[0]] : undefined;
  if (!report) return undefined;
  const parsed = parseSimpleArgv(argv.slice(1), { ...REPORT_FLAGS, ...report.flags });
  if (!parsed || parsed.args.length > 0) return undefined;
  try {
    return await report.run(parsed.flags as never);
  } catch (err) {
    return reportFailure(err);
  }
}
