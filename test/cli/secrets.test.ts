import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli, type CliResult } from '../harness/cli';
import { useCluster } from '../harness/cluster';
import { SECRET, secretShapes as shapes } from '../harness/secret-shapes';

/**
 * Issue #17 item 3: a malformed connection string must never bring its password to the
 * terminal, whatever its shape, whichever command reads it and wherever it comes from (flag,
 * DATABASE_URL, config file), in every output format and with --debug.
 */
/** Every lint-free command that connects, with the flag that takes the connection string. */
const COMMANDS: Array<{ name: string; args: (url: string) => string[]; json?: string[] }> = [
  { name: 'report lag --primary', args: (u) => ['report', 'lag', '--primary', u], json: ['--format', 'json'] },
  { name: 'report lag --replica', args: (u) => ['report', 'lag', '--replica', `standby1=${u}`], json: ['--format', 'json'] },
  { name: 'report connections --pgbouncer', args: (u) => ['report', 'connections', '--pgbouncer', u], json: ['--format', 'json'] },
  { name: 'migrate status', args: (u) => ['migrate', 'status', '--url', u], json: ['--format', 'json'] },
  { name: 'backfill status', args: (u) => ['backfill', 'status', '--url', u], json: ['--format', 'json'] },
  { name: 'timeouts check', args: (u) => ['timeouts', 'check', '--url', u], json: ['--format', 'json'] },
  { name: 'audit queries --from-db', args: (u) => ['audit', 'queries', '--from-db', '--url', u], json: ['--format', 'json'] },
  { name: 'sessions idle', args: (u) => ['sessions', 'idle', '--url', u], json: ['--format', 'json'] },
];

/** Commands that take the connection from DATABASE_URL or the config file when no flag is given. */
const DEFAULT_CONNECTION: string[][] = [
  ['report', 'lag'],
  ['report', 'connections'],
  ['migrate', 'status'],
  ['backfill', 'status'],
  ['timeouts', 'check'],
  ['audit', 'queries', '--from-db'],
  ['sessions', 'idle'],
];

const pg = useCluster();
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-secrets-'));
  fs.mkdirSync(path.join(dir, 'migrations'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function expectNoSecret(r: CliResult, what: string): void {
  const out = `${r.stdout}\n${r.stderr}`;
  if (out.includes(SECRET) || out.includes(encodeURIComponent(SECRET))) {
    throw new Error(`${what} printed the password:\n${out}`);
  }
  // It failed, and said so in one line rather than silently.
  expect(r.code).not.toBe(0);
  expect(r.stderr).toMatch(/error: |password|cannot|UNKNOWN/i);
}

/** Runs a batch a few at a time: the machine is shared. */
async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

describe('a password in a connection string never reaches stdout or stderr', () => {
  // Every shape once, each through another command, source (flag, DATABASE_URL, config file),
  // format and --debug: each run costs a process start, and the machine is shared.
  it('every shape, across commands, sources, formats and --debug', async () => {
    const runs = shapes(pg().primary.port).map((shape, i) => {
      const command = COMMANDS[i % COMMANDS.length];
      const source = (['flag', 'env', 'config'] as const)[i % 3];
      const extra = [...(i % 2 ? command.json ?? [] : []), ...(i % 4 === 3 ? ['--debug'] : [])];
      if (source === 'flag') return { shape, args: [...command.args(shape), ...extra], env: { DATABASE_URL: '' }, config: undefined };
      const args = [...DEFAULT_CONNECTION[i % DEFAULT_CONNECTION.length], ...extra];
      if (source === 'env') return { shape, args, env: { DATABASE_URL: shape }, config: undefined };
      return { shape, args, env: { DATABASE_URL: '' }, config: { database: { url: shape }, topology: { primary: shape } } };
    });
    await inBatches(runs, 4, async ({ shape, args, env, config }) => {
      const cwd = fs.mkdtempSync(path.join(dir, 'run-'));
      fs.mkdirSync(path.join(cwd, 'migrations'));
      if (config) fs.writeFileSync(path.join(cwd, 'dbops.config.json'), JSON.stringify(config));
      const r = await runCli(args, { cwd, env: { PGPASSWORD: '', ...env } });
      expectNoSecret(r, `${args.join(' ')} with ${config ? 'config' : env.DATABASE_URL ? 'DATABASE_URL' : 'flag'} ${JSON.stringify(shape)}`);
    });
  }, 600_000);

  it('the original report: a malformed --primary says what is wrong without quoting the password', async () => {
    const r = await runCli(['report', 'connections', '--primary', `postgres//postgres:${SECRET}@127.0.0.1`], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toEqual([
      'error: cannot read the connection string (a 38-character string starting "postgres//") — use postgres://user@host:5432/database (the password in PGPASSWORD or ~/.pgpass) or key=value conninfo',
    ]);
  });

  it('a broken quote in key=value conninfo is refused without echoing it', async () => {
    const r = await runCli(['sessions', 'idle', '--url', `host=127.0.0.1 password='${SECRET}`], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: cannot read the key=value connection string \(a \d+-character string starting "host="\)/);
  });
});
