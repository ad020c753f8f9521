/**
 * Replica lag, read the way `dbops report lag` reads it. Other features (backfill throttling)
 * call collectLag() with a Topology from resolveTopology() and get one NodeLag per node.
 */
import { UsageError } from '../../core/errors';
import type { Topology } from '../topology';
import { mapBounded } from '../../util/pool';
import { onNode, type NodeTimeouts } from '../node-session';
import { readSnapshot } from './snapshot';
import { buildLagTree } from './tree';
import type { NodeLag } from './types';

export type { NodeLag, NodeRole, LagState } from './types';
export type { Topology, NodeEndpoint, TopologyFlags } from '../topology';
export { resolveTopology } from '../topology';

export interface CollectLagOptions extends NodeTimeouts {
  /** How many nodes are queried at once (default 16): a fleet of 100 does not open 100 connections in one instant. */
  concurrency?: number;
}

export const DEFAULT_NODE_CONCURRENCY = 16;

/**
 * Connects to the primary and every replica, at most `concurrency` at a time (read-only sessions
 * named 'dbops report', each with its own connect and statement timeout, one query each) and returns one row per node:
 * the primary first, each standby after its upstream, standbys only their upstream can see
 * (discovered from pg_stat_replication) included. A node that cannot be queried is a row with
 * state 'unreachable' and `error`; this function itself only throws for an empty topology.
 */
export async function collectLag(topology: Topology, options: CollectLagOptions = {}): Promise<NodeLag[]> {
  const endpoints = [...(topology.primary ? [topology.primary] : []), ...topology.replicas];
  if (endpoints.length === 0) {
    throw new UsageError('no PostgreSQL servers to report lag on', 'pass --primary URL and/or --replica NAME=URL');
  }
  const outcomes = await mapBounded(endpoints, options.concurrency ?? DEFAULT_NODE_CONCURRENCY, (e) => onNode(e, 'postgres', options, (s) => readSnapshot(s, e)));
  return buildLagTree(endpoints, outcomes, topology.listed);
}

/**
 * The worst lag among standbys, for throttling: the largest bytes and seconds behind, and the
 * standbys whose lag is unknown (unreachable, disconnected or without a comparison point) — a
 * throttle should treat those as "do not proceed".
 */
export function worstLag(nodes: NodeLag[]): { bytesBehind: number; replayLagSeconds: number; unknown: string[] } {
  let bytesBehind = 0;
  let replayLagSeconds = 0;
  const unknown: string[] = [];
  for (const n of nodes) {
    if (n.role === 'primary' && n.reachable) continue;
    if (n.state === 'unreachable' || n.state === 'unseen' || !n.connected || n.bytesBehind === null) unknown.push(n.name);
    bytesBehind = Math.max(bytesBehind, n.bytesBehind ?? 0);
    replayLagSeconds = Math.max(replayLagSeconds, n.replayLagSeconds ?? 0);
  }
  return { bytesBehind, replayLagSeconds, unknown };
}
