import { DbopsCommand } from '../../cli/base-command';
import { urlFlag } from '../../cli/url-flag';

/**
 * `dbops stats snapshot`: table sizes, row estimates, index sizes, write rates and the server's
 * measured throughput as JSON on stdout, for `dbops lint --stats` / lint.statsFile.
 */
export default class StatsSnapshotCommand extends DbopsCommand {
  static override description =
    'Write a JSON snapshot of table sizes, row estimates, index sizes and write rates (schema-qualified) and the throughput measured on this server, for dbops lint --stats. Read-only.';

  static override examples = ['<%= config.bin %> stats snapshot --url "$DATABASE_URL" > dbops-stats.json', '<%= config.bin %> lint migrations/ --stats dbops-stats.json'];

  static override flags = {
    url: urlFlag(),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(StatsSnapshotCommand);
    const loaded = this.loadConfig(flags.config);
    const { withSession } = await import('../../db/connect');
    const { describeQueryError } = await import('../../db/query-errors');
    const { collectStatsSnapshot } = await import('../../stats/collect');
    const snapshot = await withSession({ url: flags.url ?? loaded.config.database?.url, applicationName: 'dbops stats snapshot', readOnly: true }, (s) =>
      collectStatsSnapshot(s.client).catch((err) => {
        throw describeQueryError(err, 'reading table statistics', 'connect to the database whose tables the migrations change');
      }),
    );
    this.log(JSON.stringify(snapshot, null, 2));
  }
}
