import type { Cluster } from '../harness/cluster';
import { runCli, type CliResult } from '../harness/cli';
import { resolveTopology, type Topology } from '../../src/replication/topology';

/** --primary/--replica flags for the whole test cluster. */
export function topologyArgs(c: Cluster, replicas: Array<'standby' | 'cascade'> = ['standby', 'cascade']): string[] {
  const args = ['--primary', c.primary.url];
  if (replicas.includes('standby')) args.push('--replica', `standby1=${c.standby!.url}`);
  if (replicas.includes('cascade')) args.push('--replica', `cascade1=${c.cascade!.url}`);
  return args;
}

export function fullTopology(c: Cluster): Topology {
  return resolveTopology({ primary: c.primary.url, replicas: [`standby1=${c.standby!.url}`, `cascade1=${c.cascade!.url}`] });
}

/** Runs the CLI and parses its JSON output (failing with the CLI's stderr if it is not JSON). */
export async function runJson<T = any>(args: string[]): Promise<{ result: CliResult; json: T }> {
  const result = await runCli([...args, '--format', 'json']);
  try {
    return { result, json: JSON.parse(result.stdout) };
  } catch {
    throw new Error(`not JSON (exit ${result.code}): ${result.stdout}\n${result.stderr}`);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function byName<T extends { name: string }>(rows: T[], name: string): T & Record<string, any> {
  const row = rows.find((r) => r.name === name);
  if (!row) throw new Error(`no row named ${name} in ${rows.map((r) => r.name).join(', ')}`);
  return row;
}
