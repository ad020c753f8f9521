import { worstLag, type NodeLag, type Topology } from '../replication/lag/collect';
import { readSnapshot } from '../replication/lag/snapshot';
import { buildLagTree } from '../replication/lag/tree';
import { PersistentSessions } from '../replication/persistent-sessions';
import type { LagLimit, ReplicaLag } from './lag-limit';

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
 * What the throttle cannot see, in words: a standby known only from its upstream's
 * pg_stat_replication has no URL, so standbys streaming from IT (cascades) are invisible; a
 * replica named in the topology without a URL that nobody lists is not watched at all.
 */
export function blindSpots(nodes: NodeLag[]): string[] {
  const out: string[] = [];
  for (const n of nodes) {
    if (n.state === 'unseen') out.push(`${n.name} (in the topology without a URL, and no watched node lists it)`);
    else if (n.discovered) out.push(`standbys streaming from ${n.name}, if any (${n.name} was found in ${n.upstream}'s pg_stat_replication but has no URL)`);
  }
  return out;
}

/**
 * Above this share of the limit a replica is "near" it and rounds run at the base interval. Low on
 * purpose: a reading is aged (its age is added to the lag) before the runner judges it, so a
 * slow round would inflate a replica's lag past the limit and pause a backfill for nothing.
 */
const NEAR = 0.25;

export interface LagWatcherOptions {
  /** Poll interval while any replica is near the limit, unreadable or paused (default 100 ms). */
  baseIntervalMs: number;
  /** The longest interval when every replica is far below the limit (default 400 ms). */
  maxIntervalMs?: number;
  /** A reading older than this is not used: read() waits for the round in flight (default 1 s). */
  maxAgeMs?: number;
  /** The limit the runner applies: the interval adapts to how close the replicas are to it. */
  limit?: LagLimit;
}

interface Reading {
  lags: ReplicaLag[];
  nodes: NodeLag[];
  startedAt: number;
}

/**
 * Reads the lag of every replica the topology reaches, in the background, for the backfill
 * throttle: one read-only session per node, opened once and reused, ONE query per node per round
 * (a prepared statement, planned once per session)
 * (the query behind `dbops report lag`, cascades found in their upstream's pg_stat_replication and
 * measured against the primary). Rounds follow one another at an interval that adapts: the base
 * interval while a replica is above a quarter of the limit, unreadable or paused, doubling up
 * to maxIntervalMs while all are comfortably below. A reading is never trusted blindly: a replica
 * that is behind may have fallen further behind since the round started (by at most the time
 * elapsed), so that age is added to its time lag, and a reading older than maxAgeMs is not used.
 */
export class LagWatcher {
  /** Rounds completed. */
  polls = 0;
  intervalMs: number;
  private latest: Reading | undefined;
  private inFlight: Promise<Reading>;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly sessions: PersistentSessions;
  private readonly maxIntervalMs: number;
  private readonly maxAgeMs: number;

  constructor(
    private readonly topology: Topology,
    private readonly options: LagWatcherOptions,
  ) {
    const endpoints = [...(topology.primary ? [topology.primary] : []), ...topology.replicas];
    this.sessions = new PersistentSessions(endpoints, { applicationName: 'dbops backfill lag', connectTimeoutMs: 2000, statementTimeoutMs: 2000 });
    this.intervalMs = options.baseIntervalMs;
    this.maxIntervalMs = Math.max(options.baseIntervalMs, options.maxIntervalMs ?? 400);
    this.maxAgeMs = options.maxAgeMs ?? 1000;
    this.inFlight = this.round();
    this.inFlight.catch(() => undefined);
  }

  read = async (): Promise<ReplicaLag[]> => {
    let reading = this.latest;
    if (!reading || Date.now() - reading.startedAt > this.maxAgeMs) reading = await this.inFlight;
    const ageSeconds = (Date.now() - reading.startedAt) / 1000;
    return reading.lags.map((l) => (l.seconds !== null && (l.bytes ?? 1) > 0 ? { ...l, seconds: l.seconds + ageSeconds } : l));
  };

  /** The tree of the latest round (after the first read()). */
  get nodes(): NodeLag[] {
    return this.latest?.nodes ?? [];
  }

  backendPids(): Promise<number[]> {
    return this.sessions.backendPids();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.sessions.close();
  }

  private async round(): Promise<Reading> {
    const startedAt = Date.now();
    const outcomes = await this.sessions.each((s, e) => readSnapshot(s, e, { prepared: true }));
    const nodes = buildLagTree(this.sessions.endpoints, outcomes, this.topology.listed);
    const reading = { lags: replicaLags(nodes), nodes, startedAt };
    this.latest = reading;
    this.polls++;
    this.intervalMs = this.nextInterval(reading);
    if (!this.stopped) {
      this.timer = setTimeout(() => {
        this.inFlight = this.round();
        this.inFlight.catch(() => undefined);
      }, Math.max(0, this.intervalMs - (Date.now() - startedAt)));
    }
    return reading;
  }

  private nextInterval(reading: Reading): number {
    const limit = this.options.limit;
    const near = reading.lags.some(
      (l) =>
        l.error !== undefined ||
        (limit?.seconds != null && (l.seconds ?? 0) > limit.seconds * NEAR) ||
        (limit?.bytes != null && (l.bytes ?? 0) > limit.bytes * NEAR),
    );
    const paused = reading.nodes.some((n) => n.replayPaused);
    if (near || paused || !limit) return this.options.baseIntervalMs;
    return Math.min(this.maxIntervalMs, this.intervalMs * 2);
  }
}
