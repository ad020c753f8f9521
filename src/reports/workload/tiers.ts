import { UsageError } from '../../core/errors';
import type { TierMap } from './isolation';

/**
 * The application → tier mapping: `reports.workload.tiers` in dbops.config.json
 * ({"checkout-api": "high", "reporting": "low"}), then --tier APP=TIER flags, which win.
 */
export function tierMap(config: unknown, flags: string[] = []): TierMap {
  const tiers = new Map<string, string>();
  if (config !== undefined) {
    if (!config || typeof config !== 'object' || Array.isArray(config)) {
      throw new UsageError('reports.workload.tiers must map application names to tiers', 'e.g. "tiers": {"checkout-api": "high", "reporting": "low"}; see docs/commands/report-workload.md');
    }
    for (const [app, tier] of Object.entries(config)) {
      if (typeof tier !== 'string' || !tier.trim()) throw new UsageError(`reports.workload.tiers["${app}"] must be a tier name (a string)`, 'e.g. "checkout-api": "high"');
      tiers.set(app, tier);
    }
  }
  for (const f of flags) {
    const eq = f.lastIndexOf('=');
    if (eq <= 0 || eq === f.length - 1) throw new UsageError(`--tier needs APPLICATION=TIER, got "${f}"`, 'e.g. --tier checkout-api=high --tier reporting=low');
    tiers.set(f.slice(0, eq), f.slice(eq + 1));
  }
  return tiers;
}
