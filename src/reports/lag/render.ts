import { formatBytes } from '../../util/size';
import { colourStatus, DASH, formatAge, jsonDocument, summaryLine } from '../render/format';
import { Exposition } from '../render/prometheus';
import { renderTable } from '../../output/table';
import { countStatuses, STATUS_EXIT_CODE, type Status, type Verdict } from '../status';
import type { LagThresholds } from './evaluate';
import type { NodeLag } from '../../replication/lag/types';

export type EvaluatedLag = NodeLag & Verdict;

export interface LagReport {
  generatedAt: Date;
  status: Status;
  thresholds: LagThresholds;
  nodes: EvaluatedLag[];
}

export function lagTable(report: LagReport): string {
  const depth = depths(report.nodes);
  const rows = report.nodes.map((n) => [
    `${'  '.repeat(depth.get(n.name) ?? 0)}${n.name}`,
    n.role,
    n.upstream ?? DASH,
    n.state,
    n.syncState ?? DASH,
    n.bytesBehind === null ? DASH : formatBytes(n.bytesBehind),
    formatAge(n.replayLagSeconds),
    n.lastReplay ? `${formatAge((report.generatedAt.getTime() - Date.parse(n.lastReplay)) / 1000)} ago` : DASH,
    n.replayPaused === null ? DASH : n.replayPaused ? 'yes' : 'no',
    colourStatus(n.status),
    n.reasons.join('; '),
  ]);
  const table = renderTable(['node', 'role', 'upstream', 'state', 'sync', 'behind', 'replay lag', 'last replay', 'paused', 'status', 'note'], rows, [5, 6, 7]);
  return `${table}\n${summaryLine('replication lag', report.status, report.generatedAt, countStatuses(report.nodes))}\n`;
}

export function lagJson(report: LagReport): string {
  return jsonDocument('lag', report, { thresholds: report.thresholds, nodes: report.nodes });
}

export function lagPrometheus(report: LagReport): string {
  const labels = (n: EvaluatedLag) => ({ node: n.name, role: n.role, upstream: n.upstream });
  const each = (value: (n: EvaluatedLag) => number | boolean | null) => report.nodes.map((n) => ({ labels: labels(n), value: value(n) }));
  return new Exposition()
    .gauge('dbops_replication_node_up', 'Whether dbops could query the node itself (1) or not (0).', each((n) => n.reachable))
    .gauge('dbops_replication_connected', 'Primary, or standby with a live WAL stream from its upstream.', each((n) => n.connected))
    .gauge('dbops_replication_lag_bytes', 'Bytes of WAL not yet replayed (against the primary, or the upstream for cascades).', each((n) => n.bytesBehind))
    .gauge('dbops_replication_replay_lag_seconds', 'Seconds behind in replay; 0 when nothing is pending.', each((n) => n.replayLagSeconds))
    .gauge('dbops_replication_replay_paused', 'Replay paused with pg_wal_replay_pause().', each((n) => n.replayPaused))
    .gauge('dbops_replication_last_heard_seconds', 'Seconds since the WAL receiver last heard from its upstream.', each((n) => n.lastHeardSecondsAgo))
    .gauge('dbops_replication_node_status', 'Node status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.', each((n) => STATUS_EXIT_CODE[n.status]))
    .gauge('dbops_report_status', 'Overall report status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.', [{ labels: { report: 'lag' }, value: STATUS_EXIT_CODE[report.status] }])
    .toString();
}

function depths(nodes: NodeLag[]): Map<string, number> {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const out = new Map<string, number>();
  for (const n of nodes) {
    let d = 0;
    for (let up = n.upstream; up && byName.has(up) && d < nodes.length; up = byName.get(up)!.upstream) d++;
    out.set(n.name, d);
  }
  return out;
}
