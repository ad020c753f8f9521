import { Client } from './pg';
import { DbopsError } from '../core/errors';
import { EXIT } from '../core/exit-codes';
import { resolveConnection, type ConnectionTarget } from './connection-options';
import { redactSecrets } from './redact';

export interface SessionOptions {
  /** URL or conninfo; falls back to DATABASE_URL and the PG* variables. */
  url?: string;
  /** Shown in pg_stat_activity, e.g. 'dbops report'. */
  applicationName: string;
  /** Reports and audits open read-only sessions. */
  readOnly?: boolean;
  connectTimeoutMs?: number;
  statementTimeoutMs?: number;
  /**
   * Send readOnly and statementTimeoutMs in the startup packet (`options=-c …`) instead of two SET
   * round trips: what a report over fifty nodes saves per node. PostgreSQL only — PgBouncer
   * refuses unknown startup parameters.
   */
  settingsAtStartup?: boolean;
}

export interface Session {
  client: Client;
  target: ConnectionTarget;
  close(): Promise<void>;
}

/** Opens one session and applies the session settings; errors become one-line DbopsErrors. */
export async function openSession(options: SessionOptions): Promise<Session> {
  const target = resolveConnection(options.url);
  const settings = [
    ...(options.readOnly ? ['default_transaction_read_only=on'] : []),
    ...(options.statementTimeoutMs !== undefined ? [`statement_timeout=${Math.max(0, Math.floor(options.statementTimeoutMs))}`] : []),
  ];
  const atStartup = options.settingsAtStartup === true && settings.length > 0;
  const startupOptions = [target.config.options, ...settings.map((s) => `-c ${s}`)].filter(Boolean).join(' ');
  const client = new Client({
    ...target.config,
    application_name: options.applicationName,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    ...(atStartup ? { options: startupOptions } : {}),
  });
  // An idle client whose server goes away emits 'error'; without a listener node would crash.
  client.on('error', () => undefined);
  try {
    await client.connect();
    if (options.readOnly && !atStartup) readOnlyPerStatement(client);
    if (options.statementTimeoutMs !== undefined && !atStartup) {
      await client.query(`SET statement_timeout = ${Math.max(0, Math.floor(options.statementTimeoutMs))}`);
    }
  } catch (err) {
    await client.end().catch(() => undefined);
    throw describeConnectionError(err, target.label);
  }
  return {
    client,
    target,
    close: async () => {
      await client.end().catch(() => undefined);
    },
  };
}

const TRANSACTION_START = /^\s*(BEGIN|START\s+TRANSACTION)\b/i;

/**
 * Makes every statement the session sends outside a transaction of its own run in a READ ONLY
 * transaction, and every transaction it opens read-only. Not `SET default_transaction_read_only`:
 * through a transaction-pooling proxy (PgBouncer pool_mode=transaction) that setting stays on
 * the server connection the statement happened to use, and the application's next transaction
 * there could not write — while dbops's own next statement may land on a connection without it.
 */
function readOnlyPerStatement(client: Client): void {
  const send = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
  const promiseCall = (args: unknown[]) => args.length <= 2 && typeof args[args.length - 1] !== 'function' && (typeof args[0] === 'string' || (typeof args[0] === 'object' && args[0] !== null && typeof (args[0] as { submit?: unknown }).submit !== 'function'));
  const textOf = (arg: unknown) => (typeof arg === 'string' ? arg : String((arg as { text?: unknown }).text ?? ''));
  const runOne = async (args: unknown[]): Promise<unknown> => {
    if (client.getTransactionStatus() !== 'I') return send(...args);
    if (TRANSACTION_START.test(textOf(args[0]))) {
      const result = await send(...args);
      await send('SET TRANSACTION READ ONLY');
      return result;
    }
    await send('BEGIN READ ONLY');
    try {
      const result = await send(...args);
      await send('COMMIT');
      return result;
    } catch (err) {
      await send('ROLLBACK').catch(() => undefined);
      throw err;
    }
  };
  // One statement at a time, so the transaction status is read when it is this statement's turn.
  let previous: Promise<unknown> = Promise.resolve();
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    if (!promiseCall(args)) return send(...args);
    const run = previous.then(() => runOne(args));
    previous = run.catch(() => undefined);
    return run;
  };
}

interface PgLikeError {
  code?: string;
  message?: string;
  errno?: number;
}

/** Turns a driver or server error met while connecting into a message with the fix. */
export function describeConnectionError(err: unknown, label: string): DbopsError {
  const e = (err ?? {}) as PgLikeError;
  const msg = redactSecrets(e.message ?? String(err));
  const db = (hint: string, message: string) => new DbopsError(message, { exitCode: EXIT.database, hint, cause: err });
  switch (e.code) {
    case 'ECONNREFUSED':
      return db('start the server or fix the host/port in --url or DATABASE_URL', `cannot connect to ${label}: connection refused`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return db('check the host name in --url or DATABASE_URL', `cannot connect to ${label}: host not found`);
    case 'ETIMEDOUT':
      return db('check that the server is reachable from here', `cannot connect to ${label}: timed out`);
    case '28P01':
      return db('check the password (PGPASSWORD, ~/.pgpass or the URL)', `password authentication failed connecting to ${label}`);
    case '28000':
      return db('allow this user/host in pg_hba.conf or use another role', `${label} rejected the connection: ${msg}`);
    case '3D000':
      return db('create the database or fix the database name in the URL', `${label}: ${msg}`);
    case '53300':
      return db('wait for connections to free up, or raise max_connections', `${label} has no free connection slots`);
    case '57P03':
      return db('wait for the server to finish starting', `${label} is starting up or shutting down`);
    default:
      if (/timeout expired|Connection terminated due to connection timeout/i.test(msg)) {
        return db('check that the server is reachable, or raise the connect timeout', `cannot connect to ${label}: timed out`);
      }
      return db('check the connection settings', `cannot connect to ${label}: ${msg}`);
  }
}

/** Runs fn with a session and always closes it. */
export async function withSession<T>(options: SessionOptions, fn: (session: Session) => Promise<T>): Promise<T> {
  const session = await openSession(options);
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}
