import { ReportCommand } from '../../cli/report-command';
import { oclifFlags } from '../../cli/oclif-flags';
import { CONNECTIONS_FLAGS } from '../../cli/report-flags';
import { runConnectionsReport, type ConnectionsFlags } from '../../cli/run-reports';

export default class ReportConnections extends ReportCommand {
  static override description =
    'Connection headroom on every server — against max_connections minus reserved slots and a managed-service cap — who holds the connections, and PgBouncer pools with waiting clients. Monitoring exit codes (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).';

  static override examples = [
    '<%= config.bin %> report connections --primary postgres://monitor@db1/postgres',
    '<%= config.bin %> report connections --primary $PRIMARY --replica replica1=$REPLICA1 --pgbouncer postgres://pgbouncer@pool1:6432/pgbouncer',
    '<%= config.bin %> report connections --warn 70% --critical 90% --limit 500',
    '<%= config.bin %> report connections --format prometheus > /var/lib/node_exporter/textfile/dbops_connections.prom',
  ];

  static override flags = oclifFlags(CONNECTIONS_FLAGS);

  async run(): Promise<void> {
    const { flags } = await this.parse(ReportConnections);
    process.exitCode = await runConnectionsReport(flags as unknown as ConnectionsFlags);
  }
}
