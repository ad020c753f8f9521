import type { NodeLabels } from '../topology';

/** The lag contract shared by `dbops report lag` and anything that throttles on replica lag (backfill). */

export type NodeRole = 'primary' | 'standby' | 'cascading standby' | 'unknown';

/**
 * `primary`; a pg_stat_replication state (`streaming`, `catchup`, `startup`, `stopping`);
 * `disconnected` (reachable standby with no streaming WAL receiver, or none heard from its
 * upstream for longer than its wal_receiver_timeout); `unreachable` (we could not query it).
 */
export type LagState = 'primary' | 'streaming' | 'catchup' | 'startup' | 'stopping' | 'disconnected' | 'unreachable' | (string & {});

export interface NodeLag {
  /** "primary", the replica's name from flags/config, or the application_name of a discovered standby. */
  name: string;
  /** host:port/database we connected to (client address for discovered standbys); never a password. */
  label: string | null;
  role: NodeRole;
  /** Name of the node it streams from (host:port when that node is not in the topology); null for the primary. */
  upstream: string | null;
  /** Hops from the primary (0 for the primary and for nodes whose upstream is unknown). */
  depth: number;
  /** region/tier from the fleet description. */
  labels?: NodeLabels;
  state: LagState;
  /** sync_state as its upstream sees it (async, potential, sync, quorum); null when unknown. */
  syncState: string | null;
  /** We connected to this node and read its own state. */
  reachable: boolean;
  /** Known only from its upstream's pg_stat_replication (no URL was given for it). */
  discovered: boolean;
  /** The primary, or a standby with a live WAL stream from its upstream. */
  connected: boolean;
  /**
   * Bytes of WAL not yet replayed, end to end: against the primary's current position, for a
   * cascade too (so a stalled intermediate shows on every node below it); against the upstream's
   * received position only when the primary cannot be read. 0 when nothing is pending; null when
   * there is nothing trustworthy to compare with.
   */
  bytesBehind: number | null;
  /** Bytes of WAL its upstream has and it has not replayed yet (equals bytesBehind for a direct standby). */
  bytesBehindUpstream: number | null;
  /**
   * Seconds behind the primary in replay, end to end: 0 when nothing is pending (never the "time
   * since the last commit" of an idle primary); else the upstream's replay_lag for it, plus, below
   * a stalled node, that node's lag behind the primary; else now() − last replayed commit. Null
   * when unknown or on the primary.
   */
  replayLagSeconds: number | null;
  /** Seconds behind its upstream in replay (pg_stat_replication.replay_lag there); 0 when caught up with it. */
  replayLagUpstreamSeconds: number | null;
  /**
   * The node above it through which no new WAL reaches it (the topmost disconnected one, or an
   * unreachable one whose standbys lost their stream), or null. Everything below a stalled
   * intermediate names that intermediate here.
   */
  cause: string | null;
  /** Commit time of the last replayed transaction (ISO 8601), null if none since start. */
  lastReplay: string | null;
  /** Seconds since the WAL receiver last heard from its upstream; null when no receiver runs. */
  lastHeardSecondsAgo: number | null;
  /** Replay paused with pg_wal_replay_pause(); null when unknown or on the primary. */
  replayPaused: boolean | null;
  /** One line, no secrets: why the node could not be queried. */
  error?: string;
}
