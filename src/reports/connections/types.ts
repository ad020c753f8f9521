/** What `dbops report connections` reads from each PostgreSQL node and PgBouncer. */

export interface Holder {
  /** Application name, user name or client address. */
  name: string;
  count: number;
}

export interface SessionRef {
  pid: number;
  application: string;
  user: string;
  clientAddr: string;
  state: string;
  seconds: number;
}

/** The states pg_stat_activity reports for client backends, always present (0 when none). */
export const CONNECTION_STATES = ['active', 'idle', 'idle in transaction', 'idle in transaction (aborted)'] as const;

export interface NodeConnections {
  name: string;
  label: string;
  reachable: boolean;
  error?: string;
  /** A cascading standby streams from another standby (named in `upstream`). */
  role: 'primary' | 'standby' | 'cascading standby' | null;
  /** Where a standby streams from: the node's name when it is in the report, else host:port; null for a primary. */
  upstream: string | null;
  maxConnections: number | null;
  superuserReserved: number | null;
  /** reserved_connections (PostgreSQL 16+); null before 16. */
  reserved: number | null;
  /** min(max_connections − reserved slots, --limit). */
  effectiveLimit: number | null;
  /** Client backends, not counting this report's own session. */
  used: number | null;
  usagePercent: number | null;
  /** Counts by pg_stat_activity.state; the four usual states are always present. */
  byState: Record<string, number>;
  /** Every application on the node, most connections first: who shares it (workload isolation). */
  byApplication: Holder[];
  /** Top holders (up to --top). */
  byUser: Holder[];
  byClientAddr: Holder[];
  oldestIdleInTransaction: SessionRef | null;
  oldestTransaction: SessionRef | null;
}

export interface PoolStats {
  database: string;
  user: string;
  poolMode: string;
  /** In 1.18 this also counts idle clients linked to no server; only clientsWaiting means queued. */
  clientsActive: number;
  clientsWaiting: number;
  serversActive: number;
  serversIdle: number;
  serversUsed: number;
  maxWaitSeconds: number;
}

export interface BouncerConnections {
  name: string;
  label: string;
  reachable: boolean;
  error?: string;
  pools: PoolStats[];
}

export interface ConnectionsSnapshot {
  nodes: NodeConnections[];
  pgbouncers: BouncerConnections[];
}
