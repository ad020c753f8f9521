import { Flags } from '@oclif/core';
import { ReportCommand } from '../../cli/report-command';
import type { CommonReportFlags } from '../../cli/run-reports';

export default class ReportWorkload extends ReportCommand {
  static override description =
    'Where the write pressure is, what holds vacuum back, which reads could go to replicas and which tables could move off the primary — from two samples of the statistics views. Monitoring exit codes (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).';

  static override examples = [
    '<%= config.bin %> report workload --url postgres://monitor@db1/app',
    '<%= config.bin %> report workload --primary $PRIMARY --replica replica1=$REPLICA1 --interval 30s --tier checkout-api=high --tier reporting=low',
    '<%= config.bin %> report workload --horizon-warn 10min --horizon-critical 1h --dead-warn 20% --dead-critical 50%',
    '<%= config.bin %> report workload --format prometheus > /var/lib/node_exporter/textfile/dbops_workload.prom',
  ];

  static override flags = {
    url: Flags.string({ description: 'the primary\'s URL (same as --primary)', helpGroup: 'TOPOLOGY', exclusive: ['primary'] }),
    interval: Flags.string({ description: 'time between the two samples of the statistics views', default: '10s' }),
    top: Flags.integer({ description: 'how many tables, statements and candidates to show', default: 10, min: 1 }),
    tier: Flags.string({ description: 'application tier as APPLICATION=TIER (repeatable; adds to reports.workload.tiers in the config)', multiple: true }),
    'horizon-warn': Flags.string({ description: 'xmin horizon age at which the report is WARNING: a duration (30min) or transactions (50M xids)', default: '30min', helpGroup: 'THRESHOLDS' }),
    'horizon-critical': Flags.string({ description: 'xmin horizon age at which the report is CRITICAL', default: '2h', helpGroup: 'THRESHOLDS' }),
    'wraparound-warn': Flags.string({ description: 'transaction-ID headroom left (of 2^31) below which a database is WARNING', default: '50%', helpGroup: 'THRESHOLDS' }),
    'wraparound-critical': Flags.string({ description: 'headroom left below which a database is CRITICAL', default: '25%', helpGroup: 'THRESHOLDS' }),
    'dead-warn': Flags.string({ description: 'dead-tuple ratio at which a table is WARNING', default: '20%', helpGroup: 'THRESHOLDS' }),
    'dead-critical': Flags.string({ description: 'dead-tuple ratio at which a table is CRITICAL', default: '50%', helpGroup: 'THRESHOLDS' }),
    'dead-min-rows': Flags.integer({ description: 'tables with fewer rows (live + dead) are not judged by their dead-tuple ratio', default: 10000, min: 0, helpGroup: 'THRESHOLDS' }),
  };

  async run(): Promise<void> {
    const parsed = await this.parse(ReportWorkload);
    // The shared report flags come from plain specs (report-flags.ts), which oclif cannot type.
    const flags = parsed.flags as typeof parsed.flags & CommonReportFlags;
    const { parseDuration } = await import('../../util/duration');
    const { parseWorkloadThresholds } = await import('../../reports/workload/evaluate');
    const { produceWorkloadReport } = await import('../../reports/workload/report');
    const { tierMap } = await import('../../reports/workload/tiers');
    const thresholds = parseWorkloadThresholds({
      horizonWarn: flags['horizon-warn'],
      horizonCritical: flags['horizon-critical'],
      wraparoundWarn: flags['wraparound-warn'],
      wraparoundCritical: flags['wraparound-critical'],
      deadWarn: flags['dead-warn'],
      deadCritical: flags['dead-critical'],
      deadMinRows: flags['dead-min-rows'],
    });
    const intervalMs = parseDuration(flags.interval, '--interval');
    const workloadConfig = (this.loadConfig(flags.config).config.reports?.workload ?? {}) as { tiers?: unknown };
    const tiers = tierMap(workloadConfig.tiers, flags.tier);
    await this.runReportWith({ ...flags, primary: flags.primary ?? flags.url }, (topology, { timeouts, format }) =>
      produceWorkloadReport(topology, thresholds, { ...timeouts, intervalMs, top: flags.top, tiers }, format),
    );
  }
}
