import { Flags } from '@oclif/core';
import { ReportCommand } from '../../cli/report-command';

export default class ReportConnections extends ReportCommand {
  static override description =
    'Connection headroom on every server — against max_connections minus reserved slots and a managed-service cap — who holds the connections, and PgBouncer pools with waiting clients. Monitoring exit codes (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).';

  static override examples = [
    '<%= config.bin %> report connections --primary postgres://monitor@db1/postgres',
    '<%= config.bin %> report connections --primary $PRIMARY --replica replica1=$REPLICA1 --pgbouncer postgres://pgbouncer@pool1:6432/pgbouncer',
    '<%= config.bin %> report connections --warn 70% --critical 90% --limit 500',
    '<%= config.bin %> report connections --format prometheus > /var/lib/node_exporter/textfile/dbops_connections.prom',
  ];

  static override flags = {
    pgbouncer: Flags.string({ description: 'PgBouncer admin console URL (database "pgbouncer"), optionally NAME=URL; repeatable', multiple: true, helpGroup: 'TOPOLOGY' }),
    warn: Flags.string({ description: 'usage at which a node is WARNING: a percentage of the limit (80%) or a number of connections', default: '80%', helpGroup: 'THRESHOLDS' }),
    critical: Flags.string({ description: 'usage at which a node is CRITICAL: a percentage of the limit (95%) or a number of connections', default: '95%', helpGroup: 'THRESHOLDS' }),
    limit: Flags.integer({ description: 'connection cap of the service (the effective limit is min(max_connections - reserved, limit))', default: 5000, min: 1 }),
    top: Flags.integer({ description: 'how many top applications, users and client addresses to show', default: 10, min: 1 }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ReportConnections);
    const { parseConnectionThresholds } = await import('../../reports/connections/evaluate');
    const { produceConnectionsReport } = await import('../../reports/connections/report');
    const thresholds = parseConnectionThresholds(flags.warn, flags.critical);
    await this.runReportWith(flags, (topology, { timeouts, format, problemsOnly }) =>
      produceConnectionsReport(topology, thresholds, { ...timeouts, limit: flags.limit, top: flags.top }, format, { problemsOnly }),
    );
  }
}
