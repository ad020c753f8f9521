import type { ClientConfig } from 'pg';
import { UsageError } from '../core/errors';
import { describeConnectionString, registerConnectionSecrets, registerSecret } from './redact';

/**
 * Where a command connects, following libpq conventions: an explicit URL or conninfo string,
 * else DATABASE_URL, else the PG* variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE,
 * PGSSLMODE), which node-postgres reads itself.
 */
export interface ConnectionTarget {
  /** What we show the user: host:port/database, never a password. */
  label: string;
  config: ClientConfig;
}

export function resolveConnection(url: string | undefined, env: NodeJS.ProcessEnv = process.env): ConnectionTarget {
  const source = url ?? env.DATABASE_URL;
  // Before any message can be built from it, even one about it being malformed.
  registerConnectionSecrets(source);
  registerSecret(env.PGPASSWORD);
  if (source !== undefined && source.trim() === '') {
    throw new UsageError('the connection URL is empty', 'pass --url postgres://user@host:5432/db or set DATABASE_URL');
  }
  if (source === undefined) {
    const host = env.PGHOST ?? 'localhost';
    const port = env.PGPORT ?? '5432';
    const database = env.PGDATABASE ?? env.PGUSER ?? 'postgres';
    return { label: `${host}:${port}/${database}`, config: {} };
  }
  if (/^postgres(ql)?:\/\//i.test(source)) {
    let parsed: URL;
    try {
      parsed = new URL(source);
    } catch {
      throw new UsageError('the connection URL is not a valid URL', 'use postgres://user@host:5432/database (the password in PGPASSWORD or ~/.pgpass)');
    }
    registerSecret(decodeURIComponent(parsed.password));
    const host = parsed.hostname || env.PGHOST || 'localhost';
    const port = parsed.port || env.PGPORT || '5432';
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || env.PGDATABASE || 'postgres';
    return { label: `${host}:${port}/${database}`, config: { connectionString: source } };
  }
  if (/=/.test(source)) {
    // libpq key=value conninfo: translate the common keys.
    const kv = parseConninfo(source);
    const config: ClientConfig = {
      host: kv.host ?? kv.hostaddr,
      port: kv.port ? Number(kv.port) : undefined,
      user: kv.user,
      password: kv.password,
      database: kv.dbname,
    };
    if (kv.port !== undefined && !/^\d{1,5}$/.test(kv.port)) {
      throw new UsageError('the port in the key=value connection string is not a number', 'write e.g. port=5432');
    }
    if (kv.sslmode && kv.sslmode !== 'disable') config.ssl = kv.sslmode === 'require' ? { rejectUnauthorized: false } : true;
    if (kv.application_name) config.application_name = kv.application_name;
    const host = config.host ?? env.PGHOST ?? 'localhost';
    return { label: `${host}:${config.port ?? env.PGPORT ?? 5432}/${config.database ?? env.PGDATABASE ?? 'postgres'}`, config };
  }
  throw new UsageError(`cannot read the connection string (${describeConnectionString(source)})`, 'use postgres://user@host:5432/database (the password in PGPASSWORD or ~/.pgpass) or key=value conninfo');
}

/** libpq key=value conninfo; anything else in it (a stray word, a quote never closed) is refused without quoting it. */
function parseConninfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /\s*([a-z_]+)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|([^\s']+))\s*/giy;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(text)) !== null) {
    const value = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3];
    out[m[1].toLowerCase()] = value;
    end = re.lastIndex;
  }
  if (out.password !== undefined) registerSecret(out.password);
  if (text.slice(end).trim() !== '') {
    throw new UsageError(
      `cannot read the key=value connection string (${describeConnectionString(text)}): it stops being key=value pairs after ${Object.keys(out).length} key(s)`,
      "write key=value pairs separated by spaces, quoting values with spaces as key='a value'",
    );
  }
  return out;
}
