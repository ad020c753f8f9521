import { spawn, type ChildProcess } from 'node:child_process';
import { DBOPS_BIN, REPO_ROOT } from '../harness/cli';
import type { Cluster } from '../harness/cluster';

/** A CLI run we can signal mid-way; `done` resolves with its exit code/signal and output. */
export interface LiveCli {
  child: ChildProcess;
  output: () => { stdout: string; stderr: string };
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): LiveCli {
  const child = spawn(process.execPath, [DBOPS_BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1', DBOPS_DEBUG: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, output: () => ({ stdout, stderr }), done };
}

/** One column of the backfill's state row, or '' when there is none. */
export async function stateOf(pg: Cluster, name: string, column: string): Promise<string> {
  const exists = await pg.psql(pg.primary, "SELECT to_regclass('dbops.backfills') IS NOT NULL");
  if (exists !== 't') return '';
  return pg.psql(pg.primary, `SELECT ${column} FROM dbops.backfills WHERE name = '${name}'`);
}

/** Waits until no backend of a (killed) runner is left, so a rerun can take the runner lock. */
export async function noRunnerBackends(pg: Cluster): Promise<boolean> {
  return (await pg.psql(pg.primary, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'dbops backfill'")) === '0';
}

/** JSON lines printed by --format json. */
export function jsonEvents(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
}
