import { UsageError } from '../../core/errors';
import { formatAge } from '../render/format';
import { VerdictBuilder, type Verdict } from '../status';
import { PRIMARY_IN_RECOVERY, PRIMARY_NAME } from '../../replication/topology';
import type { BouncerConnections, NodeConnections, PoolStats } from './types';

/** A usage threshold: a percentage of the effective limit ("80%") or a number of connections ("400"). */
export type UsageThreshold = { percent: number } | { connections: number };

export interface ConnectionThresholds {
  warn?: UsageThreshold;
  critical?: UsageThreshold;
}


export function parseUsageThreshold(text: string, flag: string): UsageThreshold {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  if (!m) throw new UsageError(`invalid ${flag} "${text}"`, `use a percentage of the limit (${flag} 80%) or a number of connections (${flag} 400)`);
  return m[2] ? { percent: Number(m[1]) } : { connections: Number(m[1]) };
}

/** --warn and --critical; a warning above the critical threshold (same unit) is a usage error. */
export function parseConnectionThresholds(warn: string, critical: string): Required<ConnectionThresholds> {
  const t = { warn: parseUsageThreshold(warn, '--warn'), critical: parseUsageThreshold(critical, '--critical') };
  const above = 'percent' in t.warn && 'percent' in t.critical ? t.warn.percent > t.critical.percent
    : 'connections' in t.warn && 'connections' in t.critical ? t.warn.connections > t.critical.connections : false;
  if (above) throw new UsageError(`--warn (${warn}) is above --critical (${critical})`, 'the warning threshold must not exceed the critical one');
  return t;
}

function describe(t: UsageThreshold): string {
  return 'percent' in t ? `${t.percent}%` : `${t.connections} connections`;
}

function reached(node: NodeConnections, t: UsageThreshold | undefined): boolean {
  if (!t || node.used === null) return false;
  if ('connections' in t) return node.used >= t.connections;
  return node.effectiveLimit !== null && node.effectiveLimit > 0 && (node.used / node.effectiveLimit) * 100 >= t.percent;
}

export function evaluateNode(node: NodeConnections, t: ConnectionThresholds): Verdict {
  const v = new VerdictBuilder();
  if (!node.reachable) return v.add('UNKNOWN', node.error ?? 'unreachable').build();
  if (node.name === PRIMARY_NAME && node.role !== null && node.role !== 'primary') v.add('WARNING', PRIMARY_IN_RECOVERY);
  const usage = `${node.used} of ${node.effectiveLimit} (${node.usagePercent ?? 0}%)`;
  if (reached(node, t.critical)) v.add('CRITICAL', `${usage} ≥ ${describe(t.critical!)}`);
  else if (reached(node, t.warn)) v.add('WARNING', `${usage} ≥ ${describe(t.warn!)}`);
  return v.build();
}

export type EvaluatedPool = PoolStats & Verdict;
export type EvaluatedBouncer = Omit<BouncerConnections, 'pools'> & Verdict & { pools: EvaluatedPool[] };

/** Clients queued for a server connection are a WARNING: the pool is exhausted. */
export function evaluateBouncer(bouncer: BouncerConnections): EvaluatedBouncer {
  const pools = bouncer.pools.map((p) => {
    const v = new VerdictBuilder();
    if (p.clientsWaiting > 0) v.add('WARNING', `${p.clientsWaiting} client${p.clientsWaiting === 1 ? '' : 's'} waiting (longest ${formatAge(p.maxWaitSeconds)})`);
    return { ...p, ...v.build() };
  });
  const v = new VerdictBuilder();
  if (!bouncer.reachable) v.add('UNKNOWN', bouncer.error ?? 'unreachable');
  for (const p of pools) for (const r of p.reasons) v.add(p.status, `${p.database}/${p.user}: ${r}`);
  return { ...bouncer, ...v.build(), pools };
}
