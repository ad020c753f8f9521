import type { ReportFormat } from '../../output/formats';
import { worstStatus } from '../status';
import type { Topology } from '../../replication/topology';
import type { Rendered } from '../watch';
import { collectLag, type CollectLagOptions } from '../../replication/lag/collect';
import { evaluateTree, type LagThresholds } from './evaluate';
import { lagJson, lagPrometheus, lagTable, orderForReading, type LagReport } from './render';

/** One snapshot of `dbops report lag`: collect, judge every node, render in the chosen format. */
export async function produceLagReport(topology: Topology, thresholds: LagThresholds, timeouts: CollectLagOptions, format: ReportFormat, view: { problemsOnly?: boolean } = {}): Promise<Rendered> {
  const generatedAt = new Date();
  const nodes = orderForReading(evaluateTree(await collectLag(topology, timeouts), thresholds));
  const report: LagReport = { generatedAt, status: worstStatus(nodes.map((n) => n.status)), thresholds, nodes, problemsOnly: view.problemsOnly };
  return { text: renderLag(format, report), status: report.status };
}

function renderLag(format: ReportFormat, report: LagReport): string {
  switch (format) {
    case 'text':
      return lagTable(report);
    case 'json':
      return lagJson(report);
    case 'prometheus':
      return lagPrometheus(report);
  }
}
