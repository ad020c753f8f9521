import { colourStatus, DASH, formatAge, jsonDocument, summaryLine } from '../render/format';
import { Exposition } from '../render/prometheus';
import { renderTable } from '../../output/table';
import { countStatuses, STATUS_EXIT_CODE, type Status, type Verdict } from '../status';
import type { EvaluatedBouncer } from './evaluate';
import type { ConnectionThresholds } from './evaluate';
import { CONNECTION_STATES, type Holder, type NodeConnections } from './types';

export type EvaluatedNode = NodeConnections & Verdict;

export interface ConnectionsReport {
  generatedAt: Date;
  status: Status;
  thresholds: ConnectionThresholds;
  limit: number;
  nodes: EvaluatedNode[];
  pgbouncers: EvaluatedBouncer[];
  /** Applications found on more than one node, and the nodes. */
  sharedApplications: Array<{ application: string; nodes: string[] }>;
  /** Show only the nodes and pools that are not OK (the summary still counts all). */
  problemsOnly?: boolean;
}

const RANK: Record<Status, number> = { OK: 0, WARNING: 1, UNKNOWN: 2, CRITICAL: 3 };

/** Worst status first, then the order of the topology (primary first): at fifty nodes the problems lead. */
export function problemsFirst<T extends Verdict>(items: T[]): T[] {
  return items.map((item, i) => ({ item, i })).sort((a, b) => RANK[b.item.status] - RANK[a.item.status] || a.i - b.i).map((x) => x.item);
}

/** Which applications run on several nodes: a noisy neighbour shows up here. */
export function sharedApplications(nodes: NodeConnections[]): ConnectionsReport['sharedApplications'] {
  const where = new Map<string, string[]>();
  for (const n of nodes) for (const a of n.byApplication) where.set(a.name, [...(where.get(a.name) ?? []), n.name]);
  return [...where].filter(([, ns]) => ns.length > 1).map(([application, ns]) => ({ application, nodes: ns })).sort((a, b) => a.application.localeCompare(b.application));
}

const holders = (list: Holder[], total: number | null, max = list.length) =>
  list.slice(0, max).map((h) => `${h.name} ${h.count}${total ? ` (${Math.round((h.count / total) * 100)}%)` : ''}`).join(', ') || DASH;

export function connectionsTable(report: ConnectionsReport, top: number): string {
  const out: string[] = [];
  const nodes = problemsFirst(report.problemsOnly ? report.nodes.filter((n) => n.status !== 'OK') : report.nodes);
  if (report.problemsOnly && nodes.length === 0) out.push(`no node needs attention (${report.nodes.length} OK)`);
  if (nodes.length > 0) {
    const rows = nodes.map((n) => [
      n.name,
      n.role === 'cascading standby' ? `cascading standby of ${n.upstream}` : n.role ?? DASH,
      n.used === null ? DASH : String(n.used),
      n.effectiveLimit === null ? DASH : String(n.effectiveLimit),
      n.usagePercent === null ? DASH : `${n.usagePercent}%`,
      ...CONNECTION_STATES.map((s) => (n.reachable ? String(n.byState[s] ?? 0) : DASH)),
      n.oldestIdleInTransaction ? `${formatAge(n.oldestIdleInTransaction.seconds)} (${n.oldestIdleInTransaction.application})` : DASH,
      n.oldestTransaction ? `${formatAge(n.oldestTransaction.seconds)} (${n.oldestTransaction.application})` : DASH,
      colourStatus(n.status),
      n.reasons.join('; '),
    ]);
    out.push(renderTable(
      ['node', 'role', 'used', 'limit', 'usage', 'active', 'idle', 'idle in tx', 'idle in tx (aborted)', 'oldest idle in tx', 'oldest tx', 'status', 'note'],
      rows,
      [2, 3, 4, 5, 6, 7, 8],
    ));
    const reachable = nodes.filter((n) => n.reachable);
    // At fifty nodes, fifty lines of "no client connections" hide the ones that matter: one line for those.
    const busy = reachable.filter((n) => (n.used ?? 0) > 0);
    const idle = reachable.filter((n) => (n.used ?? 0) === 0).map((n) => n.name);
    if (reachable.length > 0) {
      out.push('Who holds the connections:');
      for (const n of busy) {
        out.push(`  ${n.name}: applications ${holders(n.byApplication, n.used, top)}; users ${holders(n.byUser, n.used)}; clients ${holders(n.byClientAddr, n.used)}`);
      }
      if (idle.length > 0) out.push(`  no client connections: ${idle.join(', ')}`);
      out.push('Workload isolation:');
      for (const n of busy) {
        const apps = n.byApplication.length;
        out.push(`  ${n.name}: ${apps === 1 ? `only ${n.byApplication[0].name}` : `${apps} applications share it`}`);
      }
      if (!report.problemsOnly) for (const s of report.sharedApplications) out.push(`  ${s.application} runs on ${s.nodes.join(', ')}`);
    }
  }
  const bouncers = report.problemsOnly ? report.pgbouncers.filter((b) => b.status !== 'OK') : report.pgbouncers;
  if (bouncers.length > 0) {
    const rows: string[][] = [];
    for (const b of bouncers) {
      if (!b.reachable) rows.push([b.name, DASH, DASH, DASH, DASH, DASH, DASH, DASH, DASH, DASH, colourStatus(b.status), b.reasons.join('; ')]);
      else if (b.pools.length === 0) rows.push([b.name, '(no pools)', DASH, DASH, DASH, DASH, DASH, DASH, DASH, DASH, colourStatus(b.status), 'no client has connected through it yet']);
      for (const p of b.pools) {
        rows.push([
          b.name, p.database, p.user, p.poolMode,
          String(p.clientsActive), String(p.clientsWaiting), String(p.serversActive), String(p.serversIdle), String(p.serversUsed),
          formatAge(p.maxWaitSeconds), colourStatus(p.status), p.reasons.join('; '),
        ]);
      }
    }
    out.push(renderTable(['pgbouncer', 'database', 'user', 'mode', 'cl active', 'cl waiting', 'sv active', 'sv idle', 'sv used', 'max wait', 'status', 'note'], rows, [4, 5, 6, 7, 8, 9]));
  }
  out.push(`${summaryLine('connections', report.status, report.generatedAt, countStatuses([...report.nodes, ...report.pgbouncers]))} · ${report.nodes.length} nodes${busiest(report.nodes)}`);
  return out.join('\n') + '\n';
}

/** " · busiest d3 12 of 13 (92%)": the node closest to its limit. */
function busiest(nodes: EvaluatedNode[]): string {
  let top: EvaluatedNode | undefined;
  for (const n of nodes) if (n.usagePercent !== null && (!top || n.usagePercent > top.usagePercent!)) top = n;
  return top ? ` · busiest ${top.name} ${top.used} of ${top.effectiveLimit} (${top.usagePercent}%)` : '';
}

export function connectionsJson(report: ConnectionsReport): string {
  const { thresholds, limit } = report;
  const notOk = <T extends Verdict>(items: T[]) => (report.problemsOnly ? items.filter((i) => i.status !== 'OK') : items);
  const summary = { nodes: report.nodes.length, counts: countStatuses([...report.nodes, ...report.pgbouncers]) };
  return jsonDocument('connections', report, { thresholds, limit, summary, nodes: notOk(report.nodes), pgbouncers: notOk(report.pgbouncers), sharedApplications: report.sharedApplications });
}

export function connectionsPrometheus(report: ConnectionsReport, top: number): string {
  const nodes = report.nodes;
  const reachable = nodes.filter((n) => n.reachable);
  const per = (value: (n: EvaluatedNode) => number | boolean | null) => nodes.map((n) => ({ labels: { node: n.name }, value: value(n) }));
  const pools = report.pgbouncers.flatMap((b) => b.pools.map((p) => ({ b, p })));
  const perPool = (value: (p: EvaluatedBouncer['pools'][number]) => number) =>
    pools.map(({ b, p }) => ({ labels: { pgbouncer: b.name, database: p.database, user: p.user, pool_mode: p.poolMode }, value: value(p) }));
  const holderSamples = (label: string, pick: (n: NodeConnections) => Holder[]) =>
    reachable.flatMap((n) => pick(n).slice(0, top).map((h) => ({ labels: { node: n.name, [label]: h.name }, value: h.count })));
  return new Exposition()
    .gauge('dbops_connections_node_up', 'Whether dbops could query the node (1) or not (0).', per((n) => n.reachable))
    .gauge('dbops_connections_max', 'max_connections.', per((n) => n.maxConnections))
    .gauge('dbops_connections_reserved', 'Slots reserved for superusers (and reserved_connections on 16+).', per((n) => (n.superuserReserved === null ? null : n.superuserReserved + (n.reserved ?? 0))))
    .gauge('dbops_connections_limit', 'Effective limit: min(max_connections - reserved, --limit).', per((n) => n.effectiveLimit))
    .gauge('dbops_connections_used', 'Client backends in use.', per((n) => n.used))
    .gauge('dbops_connections_usage_ratio', 'Client backends in use / effective limit.', per((n) => (n.usagePercent === null ? null : n.usagePercent / 100)))
    .gauge('dbops_connections_state', 'Client backends by state.', reachable.flatMap((n) => Object.entries(n.byState).map(([state, count]) => ({ labels: { node: n.name, state }, value: count }))))
    .gauge('dbops_connections_application', 'Client backends by application_name (top holders).', holderSamples('application', (n) => n.byApplication))
    .gauge('dbops_connections_user', 'Client backends by user (top holders).', holderSamples('user', (n) => n.byUser))
    .gauge('dbops_connections_client_addr', 'Client backends by client address (top holders).', holderSamples('client_addr', (n) => n.byClientAddr))
    .gauge('dbops_connections_oldest_idle_in_transaction_seconds', 'Age of the longest idle-in-transaction session.', per((n) => n.oldestIdleInTransaction?.seconds ?? (n.reachable ? 0 : null)))
    .gauge('dbops_connections_oldest_transaction_seconds', 'Age of the oldest open transaction.', per((n) => n.oldestTransaction?.seconds ?? (n.reachable ? 0 : null)))
    .gauge('dbops_connections_node_status', 'Node status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.', per((n) => STATUS_EXIT_CODE[n.status]))
    .gauge('dbops_pgbouncer_up', 'Whether dbops could query the PgBouncer admin console (1) or not (0).', report.pgbouncers.map((b) => ({ labels: { pgbouncer: b.name }, value: b.reachable })))
    .gauge('dbops_pgbouncer_clients_active', 'Clients linked to a server or idle (cl_active).', perPool((p) => p.clientsActive))
    .gauge('dbops_pgbouncer_clients_waiting', 'Clients queued for a server connection (cl_waiting).', perPool((p) => p.clientsWaiting))
    .gauge('dbops_pgbouncer_servers_active', 'Server connections linked to a client (sv_active).', perPool((p) => p.serversActive))
    .gauge('dbops_pgbouncer_servers_idle', 'Server connections idle and ready (sv_idle).', perPool((p) => p.serversIdle))
    .gauge('dbops_pgbouncer_servers_used', 'Server connections idle, awaiting the reset/check query (sv_used).', perPool((p) => p.serversUsed))
    .gauge('dbops_pgbouncer_max_wait_seconds', 'How long the oldest waiting client has waited.', perPool((p) => p.maxWaitSeconds))
    .gauge('dbops_report_status', 'Overall report status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.', [{ labels: { report: 'connections' }, value: STATUS_EXIT_CODE[report.status] }])
    .toString();
}
