import { collectLag, worstLag, type NodeLag, type Topology } from '../reports/lag/collect';
import type { ReplicaLag } from './lag-limit';

/** Per standby, as the throttle needs it; a standby `dbops report lag` cannot vouch for counts as unknown. */
export function replicaLags(nodes: NodeLag[]): ReplicaLag[] {
  const { unknown } = worstLag(nodes);
  return nodes
    .filter((n) => !(n.role === 'primary' && n.reachable))
    .map((n) => ({
      replica: n.name,
      seconds: n.replayLagSeconds,
      bytes: n.bytesBehind,
      error: unknown.includes(n.name) ? (n.error ?? n.state) : undefined,
    }));
}

/**
 * Reads replica lag with collectLag() (the reader behind `dbops report lag`) in the background,
 * one round after another at most every `intervalMs`, so a batch never waits for the replicas
 * and the sample it checks is at most one round old.
 */
export class LagPoller {
  private latest: Promise<ReplicaLag[]>;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly topology: Topology,
    private readonly intervalMs: number,
  ) {
    this.latest = this.round();
  }

  /** The most recent complete reading (waits for the first one). */
  read = (): Promise<ReplicaLag[]> => this.latest;

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private async round(): Promise<ReplicaLag[]> {
    const started = Date.now();
    const lags = replicaLags(await collectLag(this.topology, { connectTimeoutMs: 2000, statementTimeoutMs: 2000 }));
    if (!this.stopped) {
      this.timer = setTimeout(() => {
        const next = this.round();
        // Swap in the new reading only once it is complete.
        next.then(() => (this.latest = next), () => undefined);
      }, Math.max(0, this.intervalMs - (Date.now() - started)));
    }
    return lags;
  }
}
