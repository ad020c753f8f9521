import { collectLag, worstLag, type NodeLag, type Topology } from '../replication/lag/collect';
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

interface Reading {
  lags: ReplicaLag[];
  startedAt: number;
}

/**
 * Reads replica lag with collectLag() (the reader behind `dbops report lag`) in the background,
 * one round after another at most every `intervalMs`, so a batch does not wait for the replicas.
 * A reading is never trusted blindly: a replica that is behind may have fallen further behind
 * since the round started (by at most the time elapsed), so that age is added to its time lag,
 * and a reading older than `maxAgeMs` (rounds slowed down by a loaded server) is not used at all —
 * read() then waits for the round in flight.
 */
export class LagPoller {
  private latest: Reading | undefined;
  private inFlight: Promise<Reading>;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly topology: Topology,
    private readonly intervalMs: number,
    private readonly maxAgeMs = 1000,
  ) {
    this.inFlight = this.round();
  }

  read = async (): Promise<ReplicaLag[]> => {
    let reading = this.latest;
    if (!reading || Date.now() - reading.startedAt > this.maxAgeMs) reading = await this.inFlight;
    const ageSeconds = (Date.now() - reading.startedAt) / 1000;
    return reading.lags.map((l) => (l.seconds !== null && (l.bytes ?? 1) > 0 ? { ...l, seconds: l.seconds + ageSeconds } : l));
  };

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private async round(): Promise<Reading> {
    const startedAt = Date.now();
    const nodes = await collectLag(this.topology, { connectTimeoutMs: 2000, statementTimeoutMs: 2000 });
    const reading = { lags: replicaLags(nodes), startedAt };
    this.latest = reading;
    if (!this.stopped) {
      this.timer = setTimeout(() => {
        this.inFlight = this.round();
        this.inFlight.catch(() => undefined);
      }, Math.max(0, this.intervalMs - (Date.now() - startedAt)));
    }
    return reading;
  }
}
