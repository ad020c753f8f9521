import { DbopsError } from '../core/errors';
import { openSession, type Session } from '../db/connect';
import { redactSecrets } from '../db/redact';
import type { NodeEndpoint } from './topology';

export const REPORT_APPLICATION_NAME = 'dbops report';

export interface NodeTimeouts {
  /** Per node: how long to wait for the connection (default 5 s). */
  connectTimeoutMs?: number;
  /** Per node: statement_timeout for every query (default 5 s). */
  statementTimeoutMs?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 5000;

export type NodeOutcome<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Runs `work` on one node in its own session and turns every failure into a one-line message
 * without secrets, so one dead node becomes one row instead of failing the report. PostgreSQL
 * sessions are read-only with a statement_timeout; the PgBouncer admin console accepts neither
 * SET, so there a client-side deadline does the job.
 */
export async function onNode<T>(
  node: NodeEndpoint,
  kind: 'postgres' | 'pgbouncer',
  timeouts: NodeTimeouts,
  work: (session: Session) => Promise<T>,
): Promise<NodeOutcome<T>> {
  const connectTimeoutMs = timeouts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const statementTimeoutMs = timeouts.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  let session: Session | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    session = await openSession({
      url: node.url,
      applicationName: REPORT_APPLICATION_NAME,
      readOnly: kind === 'postgres',
      connectTimeoutMs,
      statementTimeoutMs: kind === 'postgres' ? statementTimeoutMs : undefined,
      settingsAtStartup: kind === 'postgres',
    });
    const open = session;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DbopsError(`${node.label}: no answer within ${statementTimeoutMs} ms`)), statementTimeoutMs + 1000);
    });
    return { ok: true, value: await Promise.race([work(open), deadline]) };
  } catch (err) {
    return { ok: false, error: describeNodeError(err, node) };
  } finally {
    if (timer) clearTimeout(timer);
    await session?.close();
  }
}

/** Throws the one-line fix when the role cannot see other sessions (see CAN_READ_STATS in queries.ts). */
export function requireStatsPrivilege(row: { role_name: string; can_read_stats: boolean }, node: NodeEndpoint): void {
  if (row.can_read_stats) return;
  throw new DbopsError(`${node.label}: role "${row.role_name}" cannot read replication and session statistics (GRANT pg_monitor TO "${row.role_name}")`);
}

export function describeNodeError(err: unknown, node: NodeEndpoint): string {
  const e = err as { message?: string; code?: string };
  let message = err instanceof DbopsError ? err.message : `${node.label}: ${e?.message ?? String(err)}`;
  // PgBouncer answers a wrong password with a protocol error, not PostgreSQL's 28P01.
  if (/SASL authentication failed|password authentication failed/i.test(message)) message = `password authentication failed connecting to ${node.label}`;
  if (e?.code === '57014') message = `${node.label}: query cancelled by the statement timeout`;
  if (e?.code === '42501') message = `${node.label}: ${e.message} (grant pg_monitor to this role)`;
  return redactSecrets(message.split('\n')[0]);
}
