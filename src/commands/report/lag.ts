import { Flags } from '@oclif/core';
import { ReportCommand } from '../../cli/report-command';

export default class ReportLag extends ReportCommand {
  static override description =
    'How far every replica is behind — standbys and cascading standbys — in bytes and seconds, with monitoring exit codes (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).';

  static override examples = [
    '<%= config.bin %> report lag --primary postgres://monitor@db1/postgres',
    '<%= config.bin %> report lag --primary $PRIMARY --replica replica1=$REPLICA1 --replica replica1a=$CASCADE --warn 5s --critical 30s --warn-bytes 16MB --critical-bytes 1GB',
    '<%= config.bin %> report lag --format prometheus > /var/lib/node_exporter/textfile/dbops_lag.prom',
    '<%= config.bin %> report lag --watch 2s',
    '<%= config.bin %> report lag --problems   # a fleet from dbops.config.json "topology": only the nodes that are not OK',
  ];

  static override flags = {
    warn: Flags.string({ description: 'replay lag at which a standby is WARNING (with a unit: 500ms, 5s, 2min)', default: '30s', helpGroup: 'THRESHOLDS' }),
    critical: Flags.string({ description: 'replay lag at which a standby is CRITICAL (with a unit: 30s, 5min)', default: '5min', helpGroup: 'THRESHOLDS' }),
    'warn-bytes': Flags.string({ description: 'WAL bytes behind at which a standby is WARNING (e.g. 16MB)', helpGroup: 'THRESHOLDS' }),
    'critical-bytes': Flags.string({ description: 'WAL bytes behind at which a standby is CRITICAL (e.g. 1GB)', helpGroup: 'THRESHOLDS' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ReportLag);
    const { parseLagThresholds } = await import('../../reports/lag/evaluate');
    const { produceLagReport } = await import('../../reports/lag/report');
    const thresholds = parseLagThresholds({ warn: flags.warn, critical: flags.critical, warnBytes: flags['warn-bytes'], criticalBytes: flags['critical-bytes'] });
    await this.runReportWith(flags, (topology, { timeouts, format, problemsOnly }) => produceLagReport(topology, thresholds, timeouts, format, { problemsOnly }));
  }
}
