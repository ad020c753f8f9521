/**
 * The scratch server `--verify` runs statements on: a database it creates on the server a URL
 * points at (the role needs CREATEDB; no existing database is touched), or, with `local`, a
 * throwaway PostgreSQL of its own (the test harness's cluster, when server binaries are
 * installed). Whatever was created is dropped on release — after success, on failure, and on
 * SIGINT/SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client, type ClientConfig } from '../db/pg';
import { DbopsError, UsageError } from '../core/errors';
import { EXIT } from '../core/exit-codes';
import { describeConnectionError } from '../db/connect';
import { resolveConnection } from '../db/connection-options';
import { quoteIdent } from '../db/quote';
import { registerConnectionSecrets } from '../db/redact';

export interface Scratch {
  /** For reports: `local PostgreSQL 15` or host:port/database of the scratch database. */
  label: string;
  /** Connection settings of the scratch database. */
  config: ClientConfig;
  /** Drops the database (or stops the local server); safe to call twice. */
  release(): Promise<void>;
  /** SIGINT/SIGTERM arrived: the scratch is being dropped and the process will exit. */
  interrupted?: () => boolean;
}

/** Names dbops gives its scratch databases, so nobody mistakes them for real ones. */
export const SCRATCH_PREFIX = 'dbops_verify_';

const APPLICATION_NAME = 'dbops lint --verify';

/** `local`, or a URL/conninfo of a server where dbops may create a database. */
export async function openScratch(target: string): Promise<Scratch> {
  registerConnectionSecrets(target);
  const scratch = target === 'local' ? await localScratch() : await databaseOn(target, target);
  return releasedOnSignal(scratch);
}

/** A connection config for another database of the same server. */
function withDatabase(config: ClientConfig, database: string): ClientConfig {
  if (typeof config.connectionString === 'string' && /^postgres(ql)?:\/\//.test(config.connectionString)) {
    const url = new URL(config.connectionString);
    url.pathname = `/${encodeURIComponent(database)}`;
    return { ...config, connectionString: url.toString() };
  }
  return { ...config, database };
}

async function connect(config: ClientConfig, label: string): Promise<Client> {
  const client = new Client({ ...config, application_name: APPLICATION_NAME, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw describeConnectionError(err, label);
  }
  return client;
}

/** CREATE DATABASE dbops_verify_<random> on the server `url` points at. */
async function databaseOn(url: string, shown: string, onRelease?: () => Promise<void>): Promise<Scratch> {
  const target = resolveConnection(url);
  const admin = await connect(target.config, target.label);
  const name = `${SCRATCH_PREFIX}${process.pid}_${randomBytes(4).toString('hex')}`;
  try {
    await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
  } catch (err) {
    await admin.end().catch(() => undefined);
    await onRelease?.();
    const e = err as { code?: string; message?: string };
    if (e.code === '42501') {
      throw new DbopsError(`--verify cannot create a scratch database on ${target.label}: ${e.message}`, {
        exitCode: EXIT.database,
        hint: 'give the role CREATEDB (ALTER ROLE … CREATEDB) or use --verify local',
      });
    }
    throw new DbopsError(`--verify cannot create a scratch database on ${target.label}: ${e.message ?? String(err)}`, { exitCode: EXIT.database, hint: 'check the URL and the role' });
  }
  await admin.end().catch(() => undefined);
  let released = false;
  return {
    label: shown === 'local' ? 'a local PostgreSQL started for this run' : `${target.label.replace(/\/[^/]*$/, '')}/${name}`,
    config: withDatabase(target.config, name),
    release: async () => {
      if (released) return;
      released = true;
      try {
        const again = await connect(target.config, target.label);
        try {
          // WITH (FORCE) (PostgreSQL 13+) ends a session still running a statement there (Ctrl-C).
          await again.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`).catch(async () => {
            await again.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
            await again.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
          });
        } finally {
          await again.end().catch(() => undefined);
        }
      } finally {
        await onRelease?.();
      }
    },
  };
}

/** A throwaway PostgreSQL of our own, as the tests start them. */
async function localScratch(): Promise<Scratch> {
  const { PG_BIN, startCluster } = require('../testing/cluster') as typeof import('../testing/cluster');
  if (!fs.existsSync(path.join(PG_BIN, 'initdb'))) {
    throw new UsageError(`--verify local needs PostgreSQL server binaries, and ${PG_BIN} has no initdb`, 'install the PostgreSQL server package or set DBOPS_PG_BIN; or give --verify a URL');
  }
  const cluster = await startCluster();
  return databaseOn(cluster.primary.url, 'local', () => cluster.stop());
}

/**
 * Ctrl-C (or a CI runner's SIGTERM) during verification: drop what was created, then end with
 * the interrupted exit code. The handlers go away once the scratch is released normally.
 */
function releasedOnSignal(scratch: Scratch): Scratch {
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = true;
    process.stderr.write(`dbops: ${signal}: dropping the scratch database before exiting\n`);
    void scratch.release().finally(() => process.exit(EXIT.interrupted));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    ...scratch,
    interrupted: () => interrupted,
    release: async () => {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      await scratch.release();
    },
  };
}
