import { ReportCommand } from '../../cli/report-command';
import { oclifFlags } from '../../cli/oclif-flags';
import { LAG_FLAGS } from '../../cli/report-flags';
import { runLagReport, type LagFlags } from '../../cli/run-reports';

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

  static override flags = oclifFlags(LAG_FLAGS);

  async run(): Promise<void> {
    const { flags } = await this.parse(ReportLag);
    process.exitCode = await runLagReport(flags as unknown as LagFlags);
  }
}
