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
  /** Names of every reachable node that is not in recovery. */
  primaries?: string[];
}

/** Judges every node of a collected tree, each against its upstream and the set of primaries. */
export function evaluateTree(nodes: NodeLag[], t: LagThresholds): Array<NodeLag & Verdict> {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const primaries = nodes.filter((n) => n.role === 'primary' && n.reachable).map((n) => n.name);
  return nodes.map((n) => ({ ...n, ...evaluateLag(n, t, { upstream: n.upstream === null ? undefined : byName.get(n.upstream), primaries }) }));
}

/**
 * One node's verdict. Unreachable: UNKNOWN. Disconnected: CRITICAL (it receives no WAL, so its
 * lag only grows). Fed by a disconnected upstream: WARNING. Given as the primary but in recovery:
 * WARNING. Two primaries: CRITICAL. Lag at or above a threshold:
 * WARNING / CRITICAL. A standby whose lag cannot be measured: UNKNOWN.
 */
export function evaluateLag(node: NodeLag, t: LagThresholds, context: LagContext = {}): Verdict {
  const v = new VerdictBuilder();
  if (node.state === 'unreachable') {
    v.add('UNKNOWN', node.error ?? 'unreachable');
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
    v.add('CRITICAL', node.lastHeardSecondsAgo !== null
      ? `disconnected: last heard from upstream ${formatAge(node.lastHeardSecondsAgo)} ago`
      : `disconnected: no WAL receiver running${lastReplayAgo(node)}`);
  } else if (node.state !== 'streaming') {
    v.add('WARNING', `state ${node.state}`);
  }
  // A cascade is measured against its upstream's received WAL, which stops moving when that
  // upstream loses its own stream: "0 behind" would hide that its data is getting stale.
  if (upstream?.state === 'disconnected') v.add('WARNING', `upstream ${upstream.name} is disconnected: no new WAL reaches this node`);
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
  if (node.replayPaused) v.add('OK', 'replay paused');
  return v.build();
}

/** With no WAL receiver, PostgreSQL keeps no time of last contact; the last replayed commit is the closest fact. */
function lastReplayAgo(node: NodeLag): string {
  if (node.lastReplay === null) return '';
  return ` (last replayed commit ${formatAge((Date.now() - Date.parse(node.lastReplay)) / 1000)} ago)`;
}
