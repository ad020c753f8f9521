import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { DBOPS_BIN, runCli, type CliResult } from '../harness/cli';
import type { Cluster } from '../harness/cluster';
import { waitFor } from '../../src/testing/cluster';

/** A project directory with a migrations/ folder, and a fresh database for it. */
export interface Project {
  dir: string;
  url: string;
  write(file: string, sql: string): void;
  remove(file: string): void;
  /** `dbops <args> --dir migrations --url <db>` from the project directory. */
  cli(args: string[], opts?: { env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CliResult>;
  /** The same, started in the background. */
  start(args: string[]): RunningCli;
  sql(query: string): Promise<string>;
}

let counter = 0;

export async function newProject(pg: () => Cluster, files: Record<string, string> = {}): Promise<Project> {
  const database = `m${process.pid}_${++counter}`;
  await pg().psql(pg().primary, `CREATE DATABASE ${database}`);
  const url = pg().urlFor(pg().primary, { database });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-migrate-'));
  fs.mkdirSync(path.join(dir, 'migrations'));
  const project: Project = {
    dir,
    url,
    write: (file, sql) => fs.writeFileSync(path.join(dir, 'migrations', file), sql),
    remove: (file) => fs.rmSync(path.join(dir, 'migrations', file)),
    cli: (args, opts = {}) => runCli(withDefaults(args, url), { cwd: dir, env: opts.env, timeoutMs: opts.timeoutMs }),
    start: (args) => startCli(withDefaults(args, url), dir),
    sql: (query) => pg().psql(pg().primary, query, database),
  };
  for (const [file, sql] of Object.entries(files)) project.write(file, sql);
  return project;
}

/** Adds --dir and --url unless the test gives its own (`migrate create` takes no --url). */
function withDefaults(args: string[], url: string): string[] {
  const out = [...args];
  if (!out.includes('--dir')) out.push('--dir', 'migrations');
  if (!out.includes('--url') && out[1] !== 'create') out.push('--url', url);
  return out;
}

export interface RunningCli {
  child: ChildProcess;
  output(): string;
  /** Resolves when stdout+stderr match, or fails after the deadline. */
  waitForOutput(re: RegExp, ms?: number): Promise<void>;
  done: Promise<CliResult>;
}

export function startCli(args: string[], cwd: string): RunningCli {
  const child = spawn(process.execPath, [DBOPS_BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', DBOPS_DEBUG: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr }));
  });
  return {
    child,
    output: () => stdout + stderr,
    waitForOutput: (re, ms = 30_000) => waitFor(async () => re.test(stdout + stderr), ms, `output matching ${re}`),
    done,
  };
}

/** A session that holds a lock in an open transaction until `release()`. */
export async function holdLock(url: string, sql: string, applicationName = 'blocker-app'): Promise<{ pid: number; release(): Promise<void> }> {
  const client = new Client({ connectionString: url, application_name: applicationName });
  client.on('error', () => undefined);
  await client.connect();
  const pid = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
  await client.query('BEGIN');
  await client.query(sql);
  return {
    pid,
    release: async () => {
      await client.query('COMMIT').catch(() => undefined);
      await client.end();
    },
  };
}

/** Waits until a session of `dbops migrate` is waiting on a lock (wait_event_type Lock). */
export function waitForRunnerBlocked(project: Project, ms = 20_000): Promise<void> {
  return waitFor(
    async () => (await project.sql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'dbops migrate' AND wait_event_type = 'Lock'")) !== '0',
    ms,
    'dbops migrate blocked on a lock',
  );
}
