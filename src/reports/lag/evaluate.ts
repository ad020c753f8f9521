import { UsageError } from '../../core/errors';
import { parseDuration } from '../../util/duration';
import { formatBytes, parseSize } from '../../util/size';
import { formatAge } from '../render/format';
import { VerdictBuilder, type Verdict } from '../status';
import { PRIMARY_IN_RECOVERY, PRIMARY_NAME } from '../../replication/topology';
import type { NodeLag } from '../../replication/lag/types';

/** Seconds and bytes at which a standby turns WARNING / CRITICAL; undefined means no limit. */
export interface LagThresholds {
  warnSeconds?: number;
  criticalSeconds?: number;
  warnBytes?: number;
  criticalBytes?: number;
}


export function parseLagThresholds(flags: { warn?: string; critical?: string; warnBytes?: string; criticalBytes?: string }): LagThresholds {
  const t: LagThresholds = {
    warnSeconds: flags.warn === undefined ? undefined : parseDuration(flags.warn, '--warn') / 1000,
    criticalSeconds: flags.critical === undefined ? undefined : parseDuration(flags.critical, '--critical') / 1000,
    warnBytes: flags.warnBytes === undefined ? undefined : parseSize(flags.warnBytes, '--warn-bytes'),
    criticalBytes: flags.criticalBytes === undefined ? undefined : parseSize(flags.criticalBytes, '--critical-bytes'),
  };
  if (t.warnSeconds !== undefined && t.criticalSeconds !== undefined && t.warnSeconds > t.criticalSeconds) {
    throw new UsageError(`--warn (${flags.warn}) is above --critical (${flags.critical})`, 'the warning threshold must not exceed the critical one');
  }
  if (t.warnBytes !== undefined && t.criticalBytes !== undefined && t.warnBytes > t.criticalBytes) {
    throw new UsageError(`--warn-bytes (${flags.warnBytes}) is above --critical-bytes (${flags.criticalBytes})`, 'the warning threshold must not exceed the critical one');
  }
  return t;
}


/** What a node's verdict depends on beyond the node itself. */
export interface LagContext {
  /** The row of the node it streams from. */
  upstream?: NodeLag;
  /** The row of the node named in its `cause`: the stalled node above it. */
  cause?: NodeLag;
  /** How many nodes below name this node as their cause. */
  stallsBelow?: number;
  /** Names of every reachable node that is not in recovery. */
  primaries?: string[];
}

/** Judges every node of a collected tree, each against its upstream and the set of primaries. */
export function evaluateTree(nodes: NodeLag[], t: LagThresholds): Array<NodeLag & Verdict> {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const primaries = nodes.filter((n) => n.role === 'primary' && n.reachable).map((n) => n.name);
  const row = (name: string | null) => (name === null ? undefined : byName.get(name));
  const below = new Map<string, number>();
  for (const n of nodes) if (n.cause) below.set(n.cause, (below.get(n.cause) ?? 0) + 1);
  return nodes.map((n) => ({ ...n, ...evaluateLag(n, t, { upstream: row(n.upstream), cause: row(n.cause), primaries, stallsBelow: below.get(n.name) }) }));
}

/**
 * One node's verdict. Unreachable (or named in the topology but seen by nobody): UNKNOWN.
 * Disconnected: CRITICAL (it receives no WAL, so its lag only grows). Below a stalled node (its
 * `cause`): WARNING, naming that node. Replay paused: WARNING (its own standbys still receive WAL
 * and are judged on their own). Given as the primary but in recovery: WARNING. Two primaries:
 * CRITICAL. Lag (end to end, against the primary) at or above a threshold: WARNING / CRITICAL. A
 * standby whose lag cannot be measured: UNKNOWN.
 */
export function evaluateLag(node: NodeLag, t: LagThresholds, context: LagContext = {}): Verdict {
  const v = new VerdictBuilder();
  const stalls = context.stallsBelow ? `; no new WAL reaches the ${context.stallsBelow} node${context.stallsBelow === 1 ? '' : 's'} below it` : '';
  if (node.state === 'unreachable' || node.state === 'unseen') {
    v.add('UNKNOWN', `${node.error ?? 'unreachable'}${stalls}`);
    return v.build();
  }
  const primaries = context.primaries ?? [];
  if (node.role === 'primary') {
    if (primaries.length > 1) v.add('CRITICAL', `${primaries.length} nodes are primaries (not in recovery): ${primaries.join(', ')} — split brain, or the same server given twice`);
    return v.build();
  }
  if (node.name === PRIMARY_NAME && !node.discovered) v.add('WARNING', PRIMARY_IN_RECOVERY);
  const upstream = context.upstream;
  if (node.state === 'disconnected') {
    v.add('CRITICAL', (node.lastHeardSecondsAgo !== null
      ? `disconnected: last heard from upstream ${formatAge(node.lastHeardSecondsAgo)} ago`
      : `disconnected: no WAL receiver running${lastReplayAgo(node)}`) + stalls);
  } else if (node.state !== 'streaming') {
    v.add('WARNING', `state ${node.state}`);
  }
  // A cascade can be caught up with its upstream while that upstream (or one above it) has lost its
  // own stream: "0 behind its upstream" would hide that its data is getting stale.
  const cause = context.cause;
  if (cause) {
    const what = cause.state === 'disconnected' ? 'is disconnected' : 'is down';
    v.add('WARNING', `${cause.name === upstream?.name ? 'upstream' : 'stalled above it:'} ${cause.name} ${what}: no new WAL reaches this node`);
  }
  const s = node.replayLagSeconds;
  const b = node.bytesBehind;
  if (s !== null) {
    if (t.criticalSeconds !== undefined && s >= t.criticalSeconds) v.add('CRITICAL', `replay lag ${formatAge(s)} ≥ ${formatAge(t.criticalSeconds)}`);
    else if (t.warnSeconds !== undefined && s >= t.warnSeconds) v.add('WARNING', `replay lag ${formatAge(s)} ≥ ${formatAge(t.warnSeconds)}`);
  }
  if (b !== null) {
    if (t.criticalBytes !== undefined && b >= t.criticalBytes) v.add('CRITICAL', `${formatBytes(b)} behind ≥ ${formatBytes(t.criticalBytes)}`);
    else if (t.warnBytes !== undefined && b >= t.warnBytes) v.add('WARNING', `${formatBytes(b)} behind ≥ ${formatBytes(t.warnBytes)}`);
  } else if (node.state !== 'disconnected') {
    v.add('UNKNOWN', 'no position to compare with');
  }
  if (node.replayPaused) v.add('WARNING', 'replay paused (pg_wal_replay_pause())');
  return v.build();
}

/** With no WAL receiver, PostgreSQL keeps no time of last contact; the last replayed commit is the closest fact. */
function lastReplayAgo(node: NodeLag): string {
  if (node.lastReplay === null) return '';
  return ` (last replayed commit ${formatAge((Date.now() - Date.parse(node.lastReplay)) / 1000)} ago)`;
}
