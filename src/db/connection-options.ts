import type { ClientConfig } from 'pg';
import { UsageError } from '../core/errors';

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
      throw new UsageError('the connection URL is not a valid URL', 'use postgres://user:password@host:5432/database');
    }
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
    if (kv.sslmode && kv.sslmode !== 'disable') config.ssl = kv.sslmode === 'require' ? { rejectUnauthorized: false } : true;
    if (kv.application_name) config.application_name = kv.application_name;
    const host = config.host ?? env.PGHOST ?? 'localhost';
    return { label: `${host}:${config.port ?? env.PGPORT ?? 5432}/${config.database ?? env.PGDATABASE ?? 'postgres'}`, config };
  }
  throw new UsageError(`cannot read the connection string "${source.slice(0, 40)}"`, 'use postgres://user:password@host:5432/database or key=value conninfo');
}

function parseConninfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /\s*([a-z_]+)\s*=\s*('((?:[^'\\]|\\.)*)'|\S+)/gi;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    out[m[1].toLowerCase()] = m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : m[2];
  }
  return out;
}
