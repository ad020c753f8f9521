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
  /** Every node, in reading order (orderForReading). */
  nodes: EvaluatedLag[];
  /** Show only the nodes that are not OK (the summary still counts all). */
  problemsOnly?: boolean;
}

const RANK: Record<Status, number> = { OK: 0, WARNING: 1, UNKNOWN: 2, CRITICAL: 3 };

/**
 * The tree as collected, with each node's standbys re-ordered so that the subtrees holding the
 * worst statuses come first: at fifty rows the problems are on the first screen, and every node
 * still sits under its upstream.
 */
export function orderForReading(nodes: EvaluatedLag[]): EvaluatedLag[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const children = new Map<string, EvaluatedLag[]>();
  const roots: EvaluatedLag[] = [];
  for (const n of nodes) {
    const up = n.upstream === null ? undefined : byName.get(n.upstream);
    if (up && up !== n) children.set(up.name, [...(children.get(up.name) ?? []), n]);
    else roots.push(n);
  }
  const worst = new Map<EvaluatedLag, number>();
  const worstOf = (n: EvaluatedLag, depth = 0): number => {
    if (worst.has(n)) return worst.get(n)!;
    worst.set(n, RANK[n.status]);
    const w = Math.max(RANK[n.status], ...(depth > nodes.length ? [] : (children.get(n.name) ?? []).map((c) => worstOf(c, depth + 1))));
    worst.set(n, w);
    return w;
  };
  const order = (list: EvaluatedLag[]) =>
    [...list].sort((a, b) => Number(b.role === 'primary') - Number(a.role === 'primary') || worstOf(b) - worstOf(a) || RANK[b.status] - RANK[a.status]);
  const out: EvaluatedLag[] = [];
  const seen = new Set<EvaluatedLag>();
  const visit = (n: EvaluatedLag) => {
    if (seen.has(n)) return;
    seen.add(n);
    out.push(n);
    order(children.get(n.name) ?? []).forEach(visit);
  };
  order(roots).forEach(visit);
  nodes.forEach(visit);
  return out;
}

/** The standby furthest behind the primary (bytes, then seconds), or undefined when none is measured. */
export function worstLagged(nodes: EvaluatedLag[]): EvaluatedLag | undefined {
  let worst: EvaluatedLag | undefined;
  for (const n of nodes) {
    if (n.role === 'primary' || (n.bytesBehind === null && n.replayLagSeconds === null)) continue;
    if (!worst || (n.bytesBehind ?? 0) > (worst.bytesBehind ?? 0) || ((n.bytesBehind ?? 0) === (worst.bytesBehind ?? 0) && (n.replayLagSeconds ?? 0) > (worst.replayLagSeconds ?? 0))) worst = n;
  }
  return worst;
}

/** Stalled nodes named as the cause of others, with how many nodes below each one they hold back. */
export function stalledCauses(nodes: NodeLag[]): Array<{ node: string; below: number }> {
  const counts = new Map<string, number>();
  for (const n of nodes) if (n.cause) counts.set(n.cause, (counts.get(n.cause) ?? 0) + 1);
  return [...counts].map(([node, below]) => ({ node, below })).sort((a, b) => b.below - a.below || a.node.localeCompare(b.node));
}

/** "worst lag 12.3 MB / 4.2 s at d2-i1-l3 · no WAL below d2-i1 (3 nodes)" */
function fleetSummary(nodes: EvaluatedLag[]): string {
  const worst = worstLagged(nodes);
  const parts = [worst ? `worst lag ${worst.bytesBehind === null ? DASH : formatBytes(worst.bytesBehind)} / ${formatAge(worst.replayLagSeconds)} at ${worst.name}` : 'worst lag: none measured'];
  const causes = stalledCauses(nodes);
  if (causes.length > 0) parts.push(`no new WAL below ${causes.map((c) => `${c.node} (${c.below} node${c.below === 1 ? '' : 's'})`).join(', ')}`);
  return parts.join(' · ');
}

const labelsOf = (n: NodeLag) => [n.labels?.region, n.labels?.tier].filter(Boolean).join('/');

export function lagTable(report: LagReport): string {
  const shown = report.problemsOnly ? report.nodes.filter((n) => n.status !== 'OK') : report.nodes;
  const withLabels = report.nodes.some((n) => labelsOf(n) !== '');
  const withSync = report.nodes.some((n) => n.syncState !== null && n.syncState !== 'async');
  const bytes = (b: number | null) => (b === null ? DASH : formatBytes(b));
  const rows = shown.map((n) => [
    `${'  '.repeat(n.depth)}${n.name}`,
    n.upstream ?? DASH,
    ...(withLabels ? [labelsOf(n) || DASH] : []),
    n.state,
    ...(withSync ? [n.syncState ?? DASH] : []),
    bytes(n.bytesBehind),
    n.depth > 1 ? bytes(n.bytesBehindUpstream) : DASH,
    formatAge(n.replayLagSeconds),
    n.depth > 1 ? formatAge(n.replayLagUpstreamSeconds) : DASH,
    n.lastReplay ? `${formatAge((report.generatedAt.getTime() - Date.parse(n.lastReplay)) / 1000)} ago` : DASH,
    colourStatus(n.status),
    n.reasons.join('; '),
  ]);
  const head = ['node', 'upstream', ...(withLabels ? ['where'] : []), 'state', ...(withSync ? ['sync'] : []), 'behind primary', 'behind upstream', 'replay lag', 'vs upstream', 'last replay', 'status', 'note'];
  const first = head.indexOf('behind primary');
  const table = rows.length > 0 ? `${renderTable(head, rows, [first, first + 1, first + 2, first + 3, first + 4])}\n` : `no node needs attention (${report.nodes.length} OK)\n`;
  const summary = summaryLine('replication lag', report.status, report.generatedAt, countStatuses(report.nodes));
  return `${table}${summary} · ${report.nodes.length} nodes · ${fleetSummary(report.nodes)}\n`;
}

export function lagJson(report: LagReport): string {
  const worst = worstLagged(report.nodes);
  return jsonDocument('lag', report, {
    thresholds: report.thresholds,
    summary: {
      nodes: report.nodes.length,
      counts: countStatuses(report.nodes),
      worst: worst ? { node: worst.name, bytesBehind: worst.bytesBehind, replayLagSeconds: worst.replayLagSeconds } : null,
      stalled: stalledCauses(report.nodes),
    },
    nodes: report.problemsOnly ? report.nodes.filter((n) => n.status !== 'OK') : report.nodes,
  });
}

export function lagPrometheus(report: LagReport): string {
  const labels = (n: EvaluatedLag) => ({ node: n.name, role: n.role, upstream: n.upstream, ...(n.labels?.region ? { region: n.labels.region } : {}), ...(n.labels?.tier ? { tier: n.labels.tier } : {}) });
  const each = (value: (n: EvaluatedLag) => number | boolean | null) => report.nodes.map((n) => ({ labels: labels(n), value: value(n) }));
  return new Exposition()
    .gauge('dbops_replication_node_up', 'Whether dbops could query the node itself (1) or not (0).', each((n) => n.reachable))
    .gauge('dbops_replication_connected', 'Primary, or standby with a live WAL stream from its upstream.', each((n) => n.connected))
    .gauge('dbops_replication_lag_bytes', 'Bytes of WAL not yet replayed, end to end (against the primary).', each((n) => n.bytesBehind))
    .gauge('dbops_replication_upstream_lag_bytes', 'Bytes of WAL its upstream has and it has not replayed.', each((n) => n.bytesBehindUpstream))
    .gauge('dbops_replication_replay_lag_seconds', 'Seconds behind the primary in replay; 0 when nothing is pending.', each((n) => n.replayLagSeconds))
    .gauge('dbops_replication_upstream_replay_lag_seconds', 'Seconds behind its upstream in replay.', each((n) => n.replayLagUpstreamSeconds))
    .gauge('dbops_replication_stalled_above', 'A node above it is stalled, so no new WAL reaches it (1) or not (0).', each((n) => n.cause !== null))
    .gauge('dbops_replication_replay_paused', 'Replay paused with pg_wal_replay_pause().', each((n) => n.replayPaused))
    .gauge('dbops_replication_last_heard_seconds', 'Seconds since the WAL receiver last heard from its upstream.', each((n) => n.lastHeardSecondsAgo))
    .gauge('dbops_replication_node_status', 'Node status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.', each((n) => STATUS_EXIT_CODE[n.status]))
    .gauge('dbops_report_status', 'Overall report status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.', [{ labels: { report: 'lag' }, value: STATUS_EXIT_CODE[report.status] }])
    .toString();
}

