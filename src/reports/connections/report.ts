import type { ReportFormat } from '../../output/formats';
import { worstStatus } from '../status';
import type { Topology } from '../../replication/topology';
import type { Rendered } from '../watch';
import { collectConnections, DEFAULT_CONNECTION_CAP, type CollectConnectionsOptions } from './collect';
import { evaluateBouncer, evaluateNode, type ConnectionThresholds } from './evaluate';
import { connectionsJson, connectionsPrometheus, connectionsTable, sharedApplications, type ConnectionsReport } from './render';

/** One snapshot of `dbops report connections`: collect, judge, render in the chosen format. */
export async function produceConnectionsReport(
  topology: Topology,
  thresholds: ConnectionThresholds,
  options: CollectConnectionsOptions & { top: number },
  format: ReportFormat,
  view: { problemsOnly?: boolean } = {},
): Promise<Rendered> {
  const generatedAt = new Date();
  const snapshot = await collectConnections(topology, options);
  const nodes = snapshot.nodes.map((n) => ({ ...n, ...evaluateNode(n, thresholds) }));
  const pgbouncers = snapshot.pgbouncers.map(evaluateBouncer);
  const report: ConnectionsReport = {
    generatedAt,
    status: worstStatus([...nodes, ...pgbouncers].map((x) => x.status)),
    thresholds,
    limit: options.limit ?? DEFAULT_CONNECTION_CAP,
    nodes,
    pgbouncers,
    sharedApplications: sharedApplications(nodes),
    problemsOnly: view.problemsOnly,
  };
  return { text: renderConnections(format, report, options.top), status: report.status };
}

function renderConnections(format: ReportFormat, report: ConnectionsReport, top: number): string {
  switch (format) {
    case 'text':
      return connectionsTable(report, top);
    case 'json':
      return connectionsJson(report);
    case 'prometheus':
      return connectionsPrometheus(report, top);
  }
}
