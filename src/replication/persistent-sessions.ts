import { DbopsError } from '../core/errors';
import { openSession, type Session } from '../db/connect';
import { mapBounded } from '../util/pool';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_STATEMENT_TIMEOUT_MS, describeNodeError, type NodeOutcome, type NodeTimeouts } from './node-session';
import type { NodeEndpoint } from './topology';

export interface PersistentSessionOptions extends NodeTimeouts {
  applicationName: string;
  /** After a node fails, how long before connecting to it again (default 2 s): a dead node is not hammered every poll. */
  retryAfterMs?: number;
  /** Nodes queried at once (default 16). */
  concurrency?: number;
}

interface Slot {
  endpoint: NodeEndpoint;
  session?: Session;
  opening?: Promise<Session>;
  failedAt?: number;
  error?: string;
}

/**
 * One read-only session per node, opened once and reused for every round, for a caller that asks
 * every node the same thing many times a second (the backfill throttle). A node that fails is an
 * outcome with `error`, never an exception; its session is dropped and reopened no sooner than
 * `retryAfterMs` later. A query that outlives the statement timeout (a hanging server) drops the
 * session too, so the next round does not queue behind it.
 */
export class PersistentSessions {
  private readonly slots: Slot[];
  private closed = false;

  constructor(endpoints: NodeEndpoint[], private readonly options: PersistentSessionOptions) {
    this.slots = endpoints.map((endpoint) => ({ endpoint }));
  }

  get endpoints(): NodeEndpoint[] {
    return this.slots.map((s) => s.endpoint);
  }

  /** Runs `work` on every node (a bounded number at a time) and returns one outcome per node, in order. */
  async each<T>(work: (session: Session, endpoint: NodeEndpoint) => Promise<T>): Promise<Array<NodeOutcome<T>>> {
    return mapBounded(this.slots, this.options.concurrency ?? 16, (slot) => this.on(slot, work));
  }

  /** Backend process ids of the open sessions (for measuring what polling costs the servers). */
  async backendPids(): Promise<number[]> {
    const pids = await this.each(async (s) => (await s.client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number);
    return pids.flatMap((p) => (p.ok ? [p.value] : []));
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((slot) => this.drop(slot)));
  }

  private async on<T>(slot: Slot, work: (session: Session, endpoint: NodeEndpoint) => Promise<T>): Promise<NodeOutcome<T>> {
    const { endpoint } = slot;
    const statementTimeoutMs = this.options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
    if (this.closed) return { ok: false, error: `${endpoint.label}: sessions closed` };
    if (!slot.session && slot.failedAt !== undefined && Date.now() - slot.failedAt < (this.options.retryAfterMs ?? 2000)) {
      return { ok: false, error: slot.error ?? `${endpoint.label}: unreachable` };
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      const session = slot.session ?? (await this.open(slot));
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new DbopsError(`${endpoint.label}: no answer within ${statementTimeoutMs} ms`)), statementTimeoutMs + 1000);
      });
      const value = await Promise.race([work(session, endpoint), deadline]);
      slot.failedAt = undefined;
      return { ok: true, value };
    } catch (err) {
      slot.failedAt = Date.now();
      slot.error = describeNodeError(err, endpoint);
      // Not awaited: closing a session to a hanging server can hang as well.
      void this.drop(slot);
      return { ok: false, error: slot.error };
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  private async open(slot: Slot): Promise<Session> {
    slot.opening ??= openSession({
      url: slot.endpoint.url,
      applicationName: this.options.applicationName,
      readOnly: true,
      connectTimeoutMs: this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: this.options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
      settingsAtStartup: true,
    }).finally(() => (slot.opening = undefined));
    slot.session = await slot.opening;
    if (this.closed) await this.drop(slot);
    return slot.session ?? Promise.reject(new DbopsError(`${slot.endpoint.label}: sessions closed`));
  }

  private async drop(slot: Slot): Promise<void> {
    const session = slot.session;
    slot.session = undefined;
    await session?.close();
  }
}
