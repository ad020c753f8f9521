import { UsageError } from '../../cli/errors';
import { parseDuration } from '../../util/duration';
import { formatBytes, parseSize } from '../../util/size';
import { formatAge } from '../render/format';
import { VerdictBuilder, type Verdict } from '../status';
import type { NodeLag } from './types';

/** Seconds and bytes at which a standby turns WARNING / CRITICAL; undefined means no limit. */
export interface LagThresholds {
  warnSeconds?: number;
  criticalSeconds?: number;
  warnBytes?: number;
  criticalBytes?: number;
}


export function parseLagThresholds(flags: { warn?: string; critical?: string; warnBytes?: string; criticalBytes?: string }): LagThresholds {
  const t: LagThresholds = {
    warnSeconds: flags.warn === undefined ? undefined : parseSeconds(flags.warn, '--warn'),
    criticalSeconds: flags.critical === undefined ? undefined : parseSeconds(flags.critical, '--critical'),
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

/** Like monitoring plugins' -w/-c, a bare number is seconds here (not milliseconds as in timeouts). */
function parseSeconds(text: string, what: string): number {
  if (/^\s*\d+(\.\d+)?\s*$/.test(text)) return Number(text);
  try {
    return parseDuration(text, what) / 1000;
  } catch {
    throw new UsageError(`invalid ${what} "${text}"`, 'use a duration: 500ms, 5s, 2min, 1h (a bare number means seconds)');
  }
}

/**
 * One node's verdict. Unreachable: UNKNOWN. Disconnected: CRITICAL (it receives no WAL, so its
 * lag only grows). Fed by a disconnected upstream: WARNING. Lag at or above a threshold:
 * WARNING / CRITICAL. A standby whose lag cannot be measured: UNKNOWN.
 */
export function evaluateLag(node: NodeLag, t: LagThresholds, upstream?: NodeLag): Verdict {
  const v = new VerdictBuilder();
  if (node.state === 'unreachable') {
    v.add('UNKNOWN', node.error ?? 'unreachable');
    return v.build();
  }
  if (node.role === 'primary') return v.build();
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
