import type { Session } from '../../db/connect';
import type { NodeEndpoint } from '../topology';
import { requireStatsPrivilege } from '../node-session';
import { parseLsn } from '../lsn';
import { NODE_DOWNSTREAMS, NODE_WAL_POSITION, NODE_WAL_RECEIVER } from '../queries';

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
  downstreams: DownstreamRow[];
}

export async function readSnapshot(session: Session, endpoint: NodeEndpoint): Promise<NodeSnapshot> {
  const { client } = session;
  const position = (await client.query(NODE_WAL_POSITION)).rows[0];
  requireStatsPrivilege(position, endpoint);
  const receiverRow = position.in_recovery ? (await client.query(NODE_WAL_RECEIVER)).rows[0] : undefined;
  const downstreams = (await client.query(NODE_DOWNSTREAMS)).rows;
  return {
    endpoint,
    inRecovery: position.in_recovery,
    clusterName: position.cluster_name ?? '',
    walReceiverTimeoutMs: Number(position.wal_receiver_timeout_ms ?? 0),
    currentLsn: parseLsn(position.current_lsn),
    receiveLsn: parseLsn(position.receive_lsn),
    replayLsn: parseLsn(position.replay_lsn),
    lastReplay: position.last_replay ?? null,
    lastReplayAgeSeconds: position.last_replay_age_s ?? null,
    replayPaused: position.replay_paused ?? null,
    receiver: receiverRow
      ? {
          status: receiverRow.status,
          senderHost: receiverRow.sender_host ?? null,
          senderPort: receiverRow.sender_port ?? null,
          applicationName: /(?:^|\s)application_name=(\S+)/.exec(receiverRow.conninfo ?? '')?.[1] ?? null,
          lastMessageAgeSeconds: receiverRow.last_msg_age_s ?? null,
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
