import type { NodeEndpoint } from '../topology';
import { bytesBetween } from '../lsn';
import type { NodeOutcome } from '../node-session';
import type { DownstreamRow, NodeSnapshot } from './snapshot';
import type { NodeLag, NodeRole } from './types';

/** When a standby has no wal_receiver_timeout (0), a silence this long still counts as disconnected. */
const FALLBACK_SILENCE_MS = 60_000;

/**
 * Builds the replication tree from what every node said about itself. A cascading standby is
 * visible only in its upstream standby's pg_stat_replication, so each standby is matched to the
 * node that lists it (by the application_name its WAL receiver uses, then by the sender port);
 * rows nobody claims become discovered standbys.
 */
export function buildLagTree(endpoints: NodeEndpoint[], outcomes: Array<NodeOutcome<NodeSnapshot>>): NodeLag[] {
  const snaps = outcomes.flatMap((o) => (o.ok ? [o.value] : []));
  const primary = snaps.find((s) => !s.inRecovery);
  const claimed = new Set<DownstreamRow>();
  const rows: NodeLag[] = [];

  endpoints.forEach((endpoint, i) => {
    const outcome = outcomes[i];
    if (!outcome.ok) {
      rows.push(unreachableRow(endpoint, outcome.error, endpoint === endpoints[0] && primary === undefined, snaps, claimed));
      return;
    }
    const snap = outcome.value;
    if (!snap.inRecovery) {
      rows.push(primaryRow(snap));
      return;
    }
    rows.push(standbyRow(snap, snaps, primary, claimed));
  });

  for (const upstream of snaps) {
    for (const d of upstream.downstreams) {
      if (claimed.has(d) || d.state === 'backup') continue;
      const taken = rows.some((r) => r.name === d.applicationName);
      rows.push(discoveredRow(d, upstream, taken ? `${d.applicationName}@${upstream.endpoint.name}` : d.applicationName));
    }
  }
  return treeOrder(rows);
}

function primaryRow(snap: NodeSnapshot): NodeLag {
  return {
    name: snap.endpoint.name,
    label: snap.endpoint.label,
    role: 'primary',
    upstream: null,
    state: 'primary',
    syncState: null,
    reachable: true,
    discovered: false,
    connected: true,
    bytesBehind: 0,
    replayLagSeconds: null,
    lastReplay: null,
    lastHeardSecondsAgo: null,
    replayPaused: null,
  };
}

function standbyRow(snap: NodeSnapshot, snaps: NodeSnapshot[], primary: NodeSnapshot | undefined, claimed: Set<DownstreamRow>): NodeLag {
  const { upstream, row } = findUpstream(snap, snaps);
  if (row) claimed.add(row);
  const receiver = snap.receiver;
  const silenceLimitS = (snap.walReceiverTimeoutMs > 0 ? snap.walReceiverTimeoutMs : FALLBACK_SILENCE_MS) / 1000;
  const connected =
    receiver !== null && receiver.status === 'streaming' && (receiver.lastMessageAgeSeconds ?? 0) <= silenceLimitS;
  // Compare with the upstream when we can see it, else with the primary; a disconnected standby
  // is never compared with its own received position, which would make it look caught up.
  const reference = upstream ? streamPosition(upstream) : primary ? primary.currentLsn : connected ? snap.receiveLsn : null;
  const vsReference = bytesBetween(reference, snap.replayLsn);
  const pendingLocally = connected ? bytesBetween(snap.receiveLsn, snap.replayLsn) : null;
  const bytesBehind = vsReference === null ? pendingLocally : Math.max(vsReference, pendingLocally ?? 0);
  let replayLagSeconds: number | null = null;
  if (bytesBehind === 0 && connected) replayLagSeconds = 0;
  else if (bytesBehind !== null && bytesBehind > 0) replayLagSeconds = row?.replayLagSeconds ?? snap.lastReplayAgeSeconds;
  const senderLabel = receiver?.senderHost ? `${receiver.senderHost}:${receiver.senderPort ?? ''}` : null;
  return {
    name: snap.endpoint.name,
    label: snap.endpoint.label,
    role: upstream ? (upstream.inRecovery ? 'cascading standby' : 'standby') : 'standby',
    upstream: upstream?.endpoint.name ?? senderLabel,
    state: connected ? (row?.state ?? 'streaming') : 'disconnected',
    syncState: row?.syncState ?? null,
    reachable: true,
    discovered: false,
    connected,
    bytesBehind,
    replayLagSeconds,
    lastReplay: snap.lastReplay ? snap.lastReplay.toISOString() : null,
    lastHeardSecondsAgo: receiver?.lastMessageAgeSeconds ?? null,
    replayPaused: snap.replayPaused,
  };
}

/** The position a node streams to its standbys: current WAL on a primary, received WAL on a standby. */
function streamPosition(node: NodeSnapshot): bigint | null {
  return node.inRecovery ? (node.receiveLsn ?? node.replayLsn) : node.currentLsn;
}

function findUpstream(snap: NodeSnapshot, snaps: NodeSnapshot[]): { upstream?: NodeSnapshot; row?: DownstreamRow } {
  const appName = snap.receiver?.applicationName ?? (snap.clusterName || 'walreceiver');
  const senderPort = snap.receiver?.senderPort ?? null;
  const others = snaps.filter((s) => s !== snap);
  let candidates = others.filter((s) => s.downstreams.some((d) => d.applicationName === appName));
  if (candidates.length > 1 && senderPort !== null) {
    const byPort = candidates.filter((s) => portOf(s) === senderPort);
    if (byPort.length > 0) candidates = byPort;
  }
  if (candidates.length === 0 && senderPort !== null) candidates = others.filter((s) => portOf(s) === senderPort);
  const upstream = candidates[0];
  return { upstream, row: upstream?.downstreams.find((d) => d.applicationName === appName) };
}

function portOf(snap: NodeSnapshot): number {
  return Number(/:(\d+)\//.exec(snap.endpoint.label)?.[1] ?? 5432);
}

function unreachableRow(endpoint: NodeEndpoint, error: string, isPrimary: boolean, snaps: NodeSnapshot[], claimed: Set<DownstreamRow>): NodeLag {
  const row: NodeLag = {
    name: endpoint.name,
    label: endpoint.label,
    role: isPrimary ? 'primary' : 'unknown',
    upstream: null,
    state: 'unreachable',
    syncState: null,
    reachable: false,
    discovered: false,
    connected: false,
    bytesBehind: null,
    replayLagSeconds: null,
    lastReplay: null,
    lastHeardSecondsAgo: null,
    replayPaused: null,
    error,
  };
  // Its upstream may still see it streaming: show that view rather than nothing.
  for (const upstream of snaps) {
    const d = upstream.downstreams.find((x) => x.applicationName === endpoint.name && !claimed.has(x));
    if (!d) continue;
    claimed.add(d);
    const seen = fromDownstream(d, upstream);
    return { ...row, role: seen.role, upstream: seen.upstream, syncState: seen.syncState, connected: seen.connected, bytesBehind: seen.bytesBehind, replayLagSeconds: seen.replayLagSeconds };
  }
  return row;
}

function discoveredRow(d: DownstreamRow, upstream: NodeSnapshot, name: string): NodeLag {
  const seen = fromDownstream(d, upstream);
  return {
    name,
    label: d.clientAddr,
    role: seen.role,
    upstream: seen.upstream,
    state: d.state,
    syncState: seen.syncState,
    reachable: false,
    discovered: true,
    connected: seen.connected,
    bytesBehind: seen.bytesBehind,
    replayLagSeconds: seen.replayLagSeconds,
    lastReplay: null,
    lastHeardSecondsAgo: null,
    replayPaused: null,
  };
}

function fromDownstream(d: DownstreamRow, upstream: NodeSnapshot) {
  const bytesBehind = bytesBetween(streamPosition(upstream), d.replayLsn);
  const role: NodeRole = upstream.inRecovery ? 'cascading standby' : 'standby';
  return {
    role,
    upstream: upstream.endpoint.name,
    syncState: d.syncState,
    connected: true,
    bytesBehind,
    replayLagSeconds: bytesBehind === 0 ? 0 : bytesBehind === null ? null : d.replayLagSeconds,
  };
}

/** Primary first, then each node followed by the standbys it feeds, depth first. */
function treeOrder(rows: NodeLag[]): NodeLag[] {
  const names = new Set(rows.map((r) => r.name));
  const children = new Map<string, NodeLag[]>();
  const roots: NodeLag[] = [];
  for (const r of rows) {
    if (r.upstream && names.has(r.upstream) && r.upstream !== r.name) {
      children.set(r.upstream, [...(children.get(r.upstream) ?? []), r]);
    } else roots.push(r);
  }
  roots.sort((a, b) => Number(b.role === 'primary') - Number(a.role === 'primary'));
  const out: NodeLag[] = [];
  const seen = new Set<NodeLag>();
  const visit = (r: NodeLag) => {
    if (seen.has(r)) return;
    seen.add(r);
    out.push(r);
    for (const c of children.get(r.name) ?? []) visit(c);
  };
  roots.forEach(visit);
  rows.forEach(visit);
  return out;
}
