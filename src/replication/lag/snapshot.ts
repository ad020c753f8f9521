import type { Session } from '../../db/connect';
import type { NodeEndpoint } from '../topology';
import { requireStatsPrivilege } from '../node-session';
import { parseLsn } from '../lsn';
import { NODE_STATE } from '../queries';

/** A standby streaming from a node, as that node's pg_stat_replication shows it. */
export interface DownstreamRow {
  applicationName: string;
  clientAddr: string | null;
  state: string;
  syncState: string | null;
  replayLsn: bigint | null;
  replayLagSeconds: number | null;
}

export interface WalReceiver {
  status: string;
  senderHost: string | null;
  senderPort: number | null;
  /** The application_name it connects with: the name its upstream lists it under. */
  applicationName: string | null;
  lastMessageAgeSeconds: number | null;
}

/** What one reachable node says about its own place in the WAL stream. */
export interface NodeSnapshot {
  endpoint: NodeEndpoint;
  inRecovery: boolean;
  clusterName: string;
  walReceiverTimeoutMs: number;
  currentLsn: bigint | null;
  receiveLsn: bigint | null;
  replayLsn: bigint | null;
  lastReplay: Date | null;
  lastReplayAgeSeconds: number | null;
  replayPaused: boolean | null;
  receiver: WalReceiver | null;
  /** Where primary_conninfo points (host and port only): the intended upstream, even while disconnected. */
  conninfoHost: string | null;
  conninfoPort: number | null;
  downstreams: DownstreamRow[];
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** A time setting as SHOW prints it ("1min", "500ms", "0"), in milliseconds; 0 when unreadable. */
export function settingMs(text: string | null | undefined): number {
  const m = /^(-?\d+)\s*(ms|s|min|h|d)?$/.exec(text?.trim() ?? '');
  return m ? Number(m[1]) * UNIT_MS[m[2] ?? 'ms'] : 0;
}

/** The JSON objects NODE_STATE builds (json columns arrive parsed). */
interface ReceiverJson {
  status: string;
  sender_host: string | null;
  sender_port: number | null;
  application_name: string | null;
  last_msg_age_s: number | null;
}

interface DownstreamJson {
  application_name: string | null;
  client_addr: string | null;
  state: string;
  sync_state: string | null;
  replay_lsn: string | null;
  replay_lag_s: number | null;
}

/**
 * One round trip: NODE_STATE. Throws when the role cannot read other sessions' statistics.
 * `prepared`, for a session that asks again and again (the backfill throttle): a named statement
 * is planned once per session — planning the pg_stat_replication view is most of what the
 * statement costs the server (0.6–1.0 ms of CPU unprepared, 0.2 ms prepared, measured).
 */
export async function readSnapshot(session: Session, endpoint: NodeEndpoint, options: { prepared?: boolean } = {}): Promise<NodeSnapshot> {
  const row = (await session.client.query(options.prepared ? { name: 'dbops_node_state', text: NODE_STATE } : NODE_STATE)).rows[0];
  requireStatsPrivilege(row, endpoint);
  const receiver = row.receiver as ReceiverJson | null;
  const downstreams = (row.downstreams ?? []) as DownstreamJson[];
  return {
    endpoint,
    inRecovery: row.in_recovery,
    clusterName: row.cluster_name ?? '',
    walReceiverTimeoutMs: settingMs(row.wal_receiver_timeout),
    currentLsn: parseLsn(row.current_lsn),
    receiveLsn: parseLsn(row.receive_lsn),
    replayLsn: parseLsn(row.replay_lsn),
    lastReplay: row.last_replay ?? null,
    lastReplayAgeSeconds: row.last_replay_age_s ?? null,
    replayPaused: row.replay_paused ?? null,
    conninfoHost: row.conninfo_host ?? null,
    conninfoPort: row.conninfo_port ?? null,
    receiver: receiver
      ? {
          status: receiver.status,
          senderHost: receiver.sender_host ?? null,
          senderPort: receiver.sender_port ?? null,
          applicationName: receiver.application_name ?? null,
          lastMessageAgeSeconds: receiver.last_msg_age_s ?? null,
        }
      : null,
    downstreams: downstreams.map((d) => ({
      applicationName: d.application_name ?? '',
      clientAddr: d.client_addr ?? null,
      state: d.state,
      syncState: d.sync_state ?? null,
      replayLsn: parseLsn(d.replay_lsn),
      replayLagSeconds: d.replay_lag_s ?? null,
    })),
  };
}
