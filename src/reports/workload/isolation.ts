/** Workload isolation: who holds connections and active time on each node, and which tiers share one. */
import type { NodeActivity } from './collect';
import type { NamedCount, NodeWorkload } from './model';
import type { ActivityRow } from './types';

/** Application name → tier (e.g. "checkout-api" → "high"), from the config or --tier. */
export type TierMap = ReadonlyMap<string, string>;

export function nodeWorkload(node: NodeActivity, tiers: TierMap): NodeWorkload {
  const base = { name: node.name, label: node.label, reachable: node.reachable, role: node.inRecovery === null ? null : node.inRecovery ? ('standby' as const) : ('primary' as const) };
  if (!node.reachable || node.samples.length === 0) return { ...base, error: node.error, applications: [], users: [], tiers: [] };
  const applications = countBy(node.samples, (r) => r.application);
  const byTier = new Map<string, string[]>();
  for (const app of applications) {
    const tier = tiers.get(app.name);
    if (tier && app.connections > 0) byTier.set(tier, [...(byTier.get(tier) ?? []), app.name]);
  }
  return {
    ...base,
    applications,
    users: countBy(node.samples, (r) => r.user),
    tiers: [...byTier].map(([tier, apps]) => ({ tier, applications: apps })).sort((a, b) => a.tier.localeCompare(b.tier)),
  };
}

/** Connections at the last sample; active backends averaged over all samples. */
function countBy(samples: ActivityRow[][], key: (r: ActivityRow) => string): NamedCount[] {
  const counts = new Map<string, NamedCount>();
  const entry = (name: string) => counts.get(name) ?? counts.set(name, { name, connections: 0, active: 0 }).get(name)!;
  for (const r of samples[samples.length - 1]) entry(key(r)).connections++;
  for (const sample of samples) for (const r of sample) if (r.state === 'active') entry(key(r)).active += 1 / samples.length;
  return [...counts.values()].sort((a, b) => b.active - a.active || b.connections - a.connections || a.name.localeCompare(b.name));
}
