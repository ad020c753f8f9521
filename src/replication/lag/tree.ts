import type { ListedNode, NodeEndpoint } from '../topology';
import { bytesBetween } from '../lsn';
import type { NodeOutcome } from '../node-session';
import type { DownstreamRow, NodeSnapshot } from './snapshot';
import type { NodeLag, NodeRole } from './types';

/** When a standby has no wal_receiver_timeout (0), a silence this long still counts as disconnected. */
const FALLBACK_SILENCE_MS = 60_000;

/**
 * Builds the replication tree from what every node said about itself. A cascading standby is
 * visible only in its upstream standby's pg_stat_replication, so each standby is matched to the
 * node that lists it (by the application_name its WAL receiver uses, then by the sender port, then
 * by where its primary_conninfo points, then by the fleet description); rows nobody claims become
 * discovered standbys under the node that lists them. Lag is measured end to end against the
 * primary's current WAL position, and against the upstream.
 */
export function buildLagTree(endpoints: NodeEndpoint[], outcomes: Array<NodeOutcome<NodeSnapshot>>, listed: ListedNode[] = []): NodeLag[] {
  const snaps = outcomes.flatMap((o) => (o.ok ? [o.value] : []));
  const primary = snaps.find((s) => !s.inRecovery);
  const claimed = new Set<DownstreamRow>();
  const rows: NodeLag[] = [];

  endpoints.forEach((endpoint, i) => {
    const outcome = outcomes[i];
    if (!outcome.ok) {
      rows.push(unreachableRow(endpoint, outcome.error, endpoint === endpoints[0] && primary === undefined, snaps, primary, claimed));
      return;
    }
    const snap = outcome.value;
    rows.push(snap.inRecovery ? standbyRow(snap, snaps, primary, claimed) : primaryRow(snap));
  });

  const listedByName = new Map(listed.map((l) => [l.name, l]));
  for (const upstream of snaps) {
    for (const d of upstream.downstreams) {
      if (claimed.has(d) || d.state === 'backup') continue;
      const taken = rows.some((r) => r.name === d.applicationName);
      const row = discoveredRow(d, upstream, primary, taken ? `${d.applicationName}@${upstream.endpoint.name}` : d.applicationName);
      const known = taken ? undefined : listedByName.get(d.applicationName);
      if (known?.labels) row.labels = known.labels;
      rows.push(row);
    }
  }
  for (const l of listed) if (!rows.some((r) => r.name === l.name)) rows.push(unseenRow(l));
  addCauses(rows);
  addEndToEndSeconds(rows);
  return treeOrder(rows);
}

function baseRow(endpoint: { name: string; label: string | null; labels?: NodeEndpoint['labels'] }): NodeLag {
  const row: NodeLag = {
    name: endpoint.name,
    label: endpoint.label,
    role: 'unknown',
    upstream: null,
    depth: 0,
    state: 'unreachable',
    syncState: null,
    reachable: false,
    discovered: false,
    connected: false,
    bytesBehind: null,
    bytesBehindUpstream: null,
    replayLagSeconds: null,
    replayLagUpstreamSeconds: null,
    cause: null,
    lastReplay: null,
    lastHeardSecondsAgo: null,
    replayPaused: null,
  };
  if (endpoint.labels) row.labels = endpoint.labels;
  return row;
}

function primaryRow(snap: NodeSnapshot): NodeLag {
  return { ...baseRow(snap.endpoint), role: 'primary', state: 'primary', reachable: true, connected: true, bytesBehind: 0, bytesBehindUpstream: 0 };
}

function standbyRow(snap: NodeSnapshot, snaps: NodeSnapshot[], primary: NodeSnapshot | undefined, claimed: Set<DownstreamRow>): NodeLag {
  const { upstream, row } = findUpstream(snap, snaps);
  if (row) claimed.add(row);
  const receiver = snap.receiver;
  const silenceLimitS = (snap.walReceiverTimeoutMs > 0 ? snap.walReceiverTimeoutMs : FALLBACK_SILENCE_MS) / 1000;
  const connected =
    receiver !== null && receiver.status === 'streaming' && (receiver.lastMessageAgeSeconds ?? 0) <= silenceLimitS;
  // A disconnected standby is never compared with its own received position, which would make it look caught up.
  const pendingLocally = connected ? bytesBetween(snap.receiveLsn, snap.replayLsn) : null;
  const behind = (reference: bigint | null) => {
    const vs = bytesBetween(reference, snap.replayLsn);
    return vs === null ? pendingLocally : Math.max(vs, pendingLocally ?? 0);
  };
  const bytesBehindUpstream = upstream ? behind(streamPosition(upstream)) : null;
  const bytesBehind = primary ? behind(primary.currentLsn) : upstream ? bytesBehindUpstream : behind(connected ? snap.receiveLsn : null);
  let replayLagUpstreamSeconds: number | null = null;
  if (bytesBehindUpstream === 0 && connected) replayLagUpstreamSeconds = 0;
  else if (bytesBehindUpstream !== null && bytesBehindUpstream > 0) replayLagUpstreamSeconds = row?.replayLagSeconds ?? snap.lastReplayAgeSeconds;
  const senderLabel = receiver?.senderHost ? `${receiver.senderHost}:${receiver.senderPort ?? ''}`
    : snap.conninfoHost && snap.conninfoPort ? `${snap.conninfoHost}:${snap.conninfoPort}` : null;
  return {
    ...baseRow(snap.endpoint),
    role: upstream ? (upstream.inRecovery ? 'cascading standby' : 'standby') : 'standby',
    upstream: upstream?.endpoint.name ?? snap.endpoint.upstream ?? senderLabel,
    state: connected ? (row?.state ?? 'streaming') : 'disconnected',
    syncState: row?.syncState ?? null,
    reachable: true,
    connected,
    bytesBehind,
    bytesBehindUpstream: bytesBehindUpstream ?? (upstream ? null : bytesBehind),
    // Seconds end to end are filled in once every row has its upstream (addEndToEndSeconds).
    replayLagSeconds: bytesBehind === 0 && connected ? 0 : bytesBehind !== null && bytesBehind > 0 ? (row?.replayLagSeconds ?? snap.lastReplayAgeSeconds) : null,
    replayLagUpstreamSeconds,
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
  const senderPort = snap.receiver?.senderPort ?? snap.conninfoPort;
  const others = snaps.filter((s) => s !== snap);
  let candidates = others.filter((s) => s.downstreams.some((d) => d.applicationName === appName));
  if (candidates.length > 1 && senderPort !== null) {
    const byPort = candidates.filter((s) => portOf(s) === senderPort);
    if (byPort.length > 0) candidates = byPort;
  }
  if (candidates.length === 0 && senderPort !== null) candidates = others.filter((s) => portOf(s) === senderPort);
  if (candidates.length !== 1 && snap.endpoint.upstream) {
    const configured = others.filter((s) => s.endpoint.name === snap.endpoint.upstream);
    if (configured.length === 1) candidates = configured;
  }
  const upstream = candidates[0];
  return { upstream, row: upstream?.downstreams.find((d) => d.applicationName === appName) };
}

function portOf(snap: NodeSnapshot): number {
  return Number(/:(\d+)\//.exec(snap.endpoint.label)?.[1] ?? 5432);
}

function unreachableRow(endpoint: NodeEndpoint, error: string, isPrimary: boolean, snaps: NodeSnapshot[], primary: NodeSnapshot | undefined, claimed: Set<DownstreamRow>): NodeLag {
  const row: NodeLag = { ...baseRow(endpoint), role: isPrimary ? 'primary' : 'unknown', upstream: endpoint.upstream ?? null, error };
  // Its upstream may still see it streaming: show that view rather than nothing.
  for (const upstream of snaps) {
    const d = upstream.downstreams.find((x) => x.applicationName === endpoint.name && !claimed.has(x));
    if (!d) continue;
    claimed.add(d);
    const seen = fromDownstream(d, upstream, primary);
    return { ...row, ...seen, state: 'unreachable', reachable: false };
  }
  return row;
}

function discoveredRow(d: DownstreamRow, upstream: NodeSnapshot, primary: NodeSnapshot | undefined, name: string): NodeLag {
  return { ...baseRow({ name, label: d.clientAddr }), ...fromDownstream(d, upstream, primary), state: d.state, discovered: true };
}

/** A replica named in the fleet description without a URL that no queried node lists. */
function unseenRow(l: ListedNode): NodeLag {
  const row: NodeLag = { ...baseRow({ name: l.name, label: null, labels: l.labels }), upstream: l.upstream ?? null, discovered: true, state: 'unseen' };
  row.error = l.upstream
    ? `not listed by ${l.upstream}'s pg_stat_replication, and it has no URL in the topology`
    : 'it has no URL in the topology and no queried node lists it';
  return row;
}

/** What an upstream's pg_stat_replication row says about a standby we do not query ourselves. */
function fromDownstream(d: DownstreamRow, upstream: NodeSnapshot, primary: NodeSnapshot | undefined) {
  const bytesBehindUpstream = bytesBetween(streamPosition(upstream), d.replayLsn);
  const bytesBehind = primary ? bytesBetween(primary.currentLsn, d.replayLsn) : bytesBehindUpstream;
  const role: NodeRole = upstream.inRecovery ? 'cascading standby' : 'standby';
  const seconds = (bytes: number | null) => (bytes === 0 ? 0 : bytes === null ? null : d.replayLagSeconds);
  return {
    role,
    upstream: upstream.endpoint.name,
    syncState: d.syncState,
    connected: true,
    bytesBehind,
    bytesBehindUpstream,
    replayLagSeconds: seconds(bytesBehind),
    replayLagUpstreamSeconds: seconds(bytesBehindUpstream),
  };
}

/**
 * A cascade's own replay_lag is measured against its upstream. While every node above it receives
 * WAL, that is also its lag behind the primary (a parent whose REPLAY is paused still relays WAL,
 * so its replay lag must not be added). Below a stalled node (its cause), the data is as old as
 * that node's: the cause's lag behind the primary plus its own behind its upstream.
 */
function addEndToEndSeconds(rows: NodeLag[]): void {
  const byName = new Map(rows.map((r) => [r.name, r]));
  for (const r of rows) {
    const up = r.upstream === null ? undefined : byName.get(r.upstream);
    if (r.role === 'primary' || !up || up.role === 'primary' || r.bytesBehind === 0) continue;
    const cause = r.cause === null ? undefined : byName.get(r.cause);
    if (cause) r.replayLagSeconds = cause.replayLagSeconds === null ? r.replayLagSeconds : cause.replayLagSeconds + (r.replayLagUpstreamSeconds ?? 0);
    else if (r.replayLagUpstreamSeconds !== null) r.replayLagSeconds = r.replayLagUpstreamSeconds;
  }
}

/**
 * For each node, the topmost node above it through which no new WAL arrives: a disconnected
 * standby, or an unreachable one whose own standbys lost their stream (it is down, not merely
 * hidden from us).
 */
function addCauses(rows: NodeLag[]): void {
  const byName = new Map(rows.map((r) => [r.name, r]));
  const stalls = (r: NodeLag) =>
    r.state === 'disconnected' || (r.state === 'unreachable' && rows.some((c) => c.upstream === r.name && c.state === 'disconnected'));
  for (const r of rows) {
    const seen = new Set<string>([r.name]);
    for (let up = r.upstream === null ? undefined : byName.get(r.upstream); up && !seen.has(up.name); up = up.upstream === null ? undefined : byName.get(up.upstream)) {
      seen.add(up.name);
      if (up.role !== 'primary' && stalls(up)) r.cause = up.name;
    }
  }
}

// One collator: localeCompare with options builds a new one on every call (~0.5 ms each, 36 ms over fifty nodes).
const naturalOrder = new Intl.Collator('en', { numeric: true });
const byNaturalName = (a: NodeLag, b: NodeLag) => naturalOrder.compare(a.name, b.name);

/** Primary first, then each node followed by the standbys it feeds, depth first, siblings by name; depth set on the way. */
function treeOrder(rows: NodeLag[]): NodeLag[] {
  const names = new Set(rows.map((r) => r.name));
  const children = new Map<string, NodeLag[]>();
  const roots: NodeLag[] = [];
  for (const r of rows) {
    if (r.upstream && names.has(r.upstream) && r.upstream !== r.name) {
      children.set(r.upstream, [...(children.get(r.upstream) ?? []), r]);
    } else roots.push(r);
  }
  roots.sort((a, b) => Number(b.role === 'primary') - Number(a.role === 'primary') || byNaturalName(a, b));
  const out: NodeLag[] = [];
  const seen = new Set<NodeLag>();
  const visit = (r: NodeLag, depth: number) => {
    if (seen.has(r)) return;
    seen.add(r);
    r.depth = depth;
    out.push(r);
    for (const c of (children.get(r.name) ?? []).sort(byNaturalName)) visit(c, depth + 1);
  };
  roots.forEach((r) => visit(r, r.role === 'primary' || r.upstream === null ? 0 : 1));
  rows.forEach((r) => visit(r, 0));
  return out;
}
