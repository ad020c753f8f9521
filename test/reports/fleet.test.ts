import * as fs from 'node:fs';
import * as path from 'node:path';
import { waitFor } from '../../src/testing/cluster';
import type { FleetNode } from '../../src/testing/fleet';
import { useFleet } from '../harness/fleet';
import { useTempTrees } from '../harness/temp-tree';
import { jsonEvents, spawnCli } from '../backfill/helpers';
import { runCli } from '../harness/cli';
import { byName, runJson } from './helpers';

/**
 * The reports and the backfill throttle at the scale they are built for: one primary and fifty
 * replicas (d1…d4 under the primary, three intermediates under each, leaves under those), ONE
 * fleet for the whole file. Each test disturbs its own subtree and puts it back.
 */
describe('a fleet of fifty replicas', () => {
  const pg = useFleet();
  const tempTree = useTempTrees('dbops-fleet-');
  let table = 0;

  const node = (name: string) => pg().fleet.node(name);
  const psql = (n: FleetNode | 'primary', sql: string) => pg().cluster.psql(n === 'primary' ? pg().cluster.primary : n, sql);
  const flags = () => ['--primary', pg().cluster.primary.url, ...pg().fleet.nodes.flatMap((n) => ['--replica', `${n.name}=${n.url}`])];

  /** dbops.config.json describing the fleet, with each node's upstream and a region label. */
  function configFile(): string {
    const dir = tempTree({
      'dbops.config.json': JSON.stringify({
        topology: {
          primary: pg().cluster.primary.url,
          replicas: pg().fleet.nodes.map((n) => ({ name: n.name, url: n.url, upstream: n.upstream, region: n.name.startsWith('d1') ? 'eu-west' : 'us-east' })),
        },
      }),
    });
    return path.join(dir, 'dbops.config.json');
  }

  async function writeOnPrimary(): Promise<void> {
    table++;
    await psql('primary', `CREATE TABLE fleet_t${table} AS SELECT g FROM generate_series(1, 20000) g`);
  }

  async function lagJson(args: string[]) {
    const { result, json } = await runJson(['report', 'lag', ...args]);
    return { code: result.code, json, nodes: json.nodes as Array<Record<string, any> & { name: string }> };
  }

  async function everyNodeCaughtUp(): Promise<void> {
    await waitFor(async () => {
      const { nodes } = await lagJson(flags());
      return nodes.length === 51 && nodes.every((n) => n.status === 'OK' && n.bytesBehind === 0);
    }, 60_000, 'every node streaming and caught up');
  }

  it('shows all fifty replicas in the tree, each under the parent it streams from, found by discovery alone', async () => {
    const { code, json, nodes } = await lagJson(flags());
    expect(code).toBe(0);
    expect(nodes).toHaveLength(51);
    expect(byName(nodes, 'primary')).toMatchObject({ role: 'primary', depth: 0 });
    for (const n of pg().fleet.nodes) {
      expect([n.name, byName(nodes, n.name).upstream, byName(nodes, n.name).depth, byName(nodes, n.name).status]).toEqual([n.name, n.upstream, n.depth, 'OK']);
    }
    // Tree order: every node comes after its upstream.
    const position = new Map(nodes.map((n, i) => [n.name, i]));
    for (const n of pg().fleet.nodes) expect(position.get(n.name)!).toBeGreaterThan(position.get(n.upstream)!);
    expect(json.summary).toMatchObject({ nodes: 51, counts: { OK: 51, WARNING: 0, CRITICAL: 0, UNKNOWN: 0 }, stalled: [] });

    const connections = await runJson(['report', 'connections', ...flags()]);
    expect(connections.result.code).toBe(0);
    expect(connections.json.nodes).toHaveLength(51);
    expect(byName(connections.json.nodes, 'd2-i3-l1')).toMatchObject({ reachable: true, role: 'cascading standby', upstream: 'd2-i3' });
  });

  it('flags a replica whose replay is paused, while its own cascades keep receiving WAL and stay OK', async () => {
    const d1 = node('d1');
    await psql(d1, 'SELECT pg_wal_replay_pause()');
    try {
      await writeOnPrimary();
      const below = pg().fleet.nodes.filter((n) => n.name.startsWith('d1-'));
      let last: Awaited<ReturnType<typeof lagJson>> | undefined;
      await waitFor(async () => {
        last = await lagJson(flags());
        return byName(last.nodes, 'd1').bytesBehind > 0 && below.every((n) => byName(last!.nodes, n.name).bytesBehind === 0);
      }, 30_000, 'd1 behind while the nodes below it have caught up');
      const { code, nodes, json } = last!;
      expect(code).toBe(1);
      expect(byName(nodes, 'd1')).toMatchObject({ status: 'WARNING', replayPaused: true, cause: null });
      expect(byName(nodes, 'd1').reasons).toContain('replay paused (pg_wal_replay_pause())');
      for (const n of below) expect(byName(nodes, n.name)).toMatchObject({ status: 'OK', cause: null, bytesBehind: 0 });
      expect(json.summary.worst.node).toBe('d1');
      // Problems first: the first row after the primary is d1.
      expect(nodes[1].name).toBe('d1');
    } finally {
      await psql(d1, 'SELECT pg_wal_replay_resume()');
    }
    await everyNodeCaughtUp();
  });

  it('flags an intermediate cut from its upstream, and everything below it, naming the intermediate as the cause', async () => {
    const cut = node('d2-i1');
    const below = pg().fleet.nodes.filter((n) => n.upstream === cut.name);
    expect(below.length).toBeGreaterThan(1);
    await psql(cut, "ALTER SYSTEM SET primary_conninfo = ''");
    await psql(cut, 'SELECT pg_reload_conf()');
    try {
      const config = configFile();
      await waitFor(async () => byName((await lagJson(['--config', config])).nodes, cut.name).state === 'disconnected', 30_000, `${cut.name} disconnected`);
      await writeOnPrimary();
      const { code, nodes, json } = await lagJson(['--config', config]);
      expect(code).toBe(2);
      // Still under its parent: the topology says where it streams from.
      expect(byName(nodes, cut.name)).toMatchObject({ upstream: 'd2', state: 'disconnected', status: 'CRITICAL', labels: { region: 'us-east' } });
      expect(byName(nodes, cut.name).reasons.join()).toContain(`no new WAL reaches the ${below.length} nodes below it`);
      for (const n of below) {
        const row = byName(nodes, n.name);
        expect(row).toMatchObject({ upstream: cut.name, state: 'streaming', cause: cut.name, status: 'WARNING', bytesBehindUpstream: 0 });
        // Measured against the primary, not only against its stalled parent.
        expect(row.bytesBehind).toBeGreaterThan(0);
        expect(row.reasons).toContain(`upstream ${cut.name} is disconnected: no new WAL reaches this node`);
      }
      expect(json.summary.stalled).toEqual([{ node: cut.name, below: below.length }]);
      // The rest of the fleet is unaffected.
      expect(nodes.filter((n) => n.status !== 'OK').map((n) => n.name).sort()).toEqual([cut.name, ...below.map((n) => n.name)].sort());

      const problems = await runJson(['report', 'lag', '--config', config, '--problems']);
      expect(problems.json.nodes.map((n: { name: string }) => n.name).sort()).toEqual([cut.name, ...below.map((n) => n.name)].sort());
      const text = await runCli(['report', 'lag', '--config', config, '--problems']);
      expect(text.code).toBe(2);
      const lines = text.stdout.trim().split('\n');
      expect(lines.filter((l) => /│ +d\d/.test(l))).toHaveLength(1 + below.length);
      expect(lines[lines.length - 1]).toMatch(new RegExp(`^replication lag: CRITICAL \\(1 CRITICAL, ${below.length} WARNING, ${50 - below.length} OK\\) at .* · 51 nodes · worst lag .* · no new WAL below ${cut.name} \\(${below.length} nodes\\)$`));
    } finally {
      await psql(cut, 'ALTER SYSTEM RESET primary_conninfo');
      await psql(cut, 'SELECT pg_reload_conf()');
    }
    await everyNodeCaughtUp();
  });

  it('reports a stopped node and a hanging one as UNKNOWN, every other node still read', async () => {
    const stopped = node('d3-i2-l1');
    const hanging = node('d3-i3-l1');
    await pg().cluster.stopNode(stopped);
    const postmaster = Number(fs.readFileSync(path.join(hanging.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(postmaster, 'SIGSTOP');
    try {
      const { nodes, json } = await lagJson([...flags(), '--connect-timeout', '1s', '--statement-timeout', '1s']);
      expect(byName(nodes, stopped.name)).toMatchObject({ state: 'unreachable', status: 'UNKNOWN' });
      expect(byName(nodes, stopped.name).reasons.join()).toMatch(/connection refused/);
      expect(byName(nodes, hanging.name)).toMatchObject({ reachable: false, status: 'UNKNOWN' });
      expect(byName(nodes, hanging.name).reasons.join()).toMatch(/timed out|timeout|no answer/i);
      expect(json.summary.counts).toEqual({ OK: 49, WARNING: 0, CRITICAL: 0, UNKNOWN: 2 });
    } finally {
      process.kill(postmaster, 'SIGCONT');
      await pg().cluster.startNode(stopped);
    }
    await everyNodeCaughtUp();
  });

  it('backfill watches every replica the topology reaches by default, names the one that holds it back, and says what it cannot see', async () => {
    await psql('primary', `CREATE TABLE fleet_events (id int PRIMARY KEY, counter int NOT NULL DEFAULT 0, pad text);
                           INSERT INTO fleet_events SELECT g, 0, repeat('x', 200) FROM generate_series(1, 6000) g;`);
    await everyNodeCaughtUp();
    // Only the primary's URL: the direct standbys are discovered, what streams from them cannot be seen.
    const blind = spawnCli([
      'backfill', 'run', '--url', pg().cluster.primary.url, '--table', 'fleet_events', '--set', 'counter = counter + 1',
      '--name', 'blind', '--where', 'id <= 10', '--max-replica-lag', '5s', '--format', 'json',
    ]);
    const blindDone = await blind.done;
    expect(blindDone.code).toBe(0);
    const watching = jsonEvents(blindDone.stdout).find((e) => e.event === 'watching')!;
    expect(watching.replicas).toEqual(['d1', 'd2', 'd3', 'd4']);
    expect(watching.unseen).toEqual(['d1', 'd2', 'd3', 'd4'].map((d) => `standbys streaming from ${d}, if any (${d} was found in primary's pg_stat_replication but has no URL)`));

    // The whole fleet from the config, no --replica: a paused leaf three levels down stops the run.
    const leaf = node('d4-i3-l2');
    await psql(leaf, 'SELECT pg_wal_replay_pause()');
    await writeOnPrimary();
    await writeOnPrimary();
    let resumed = false;
    try {
      const run = spawnCli([
        'backfill', 'run', '--config', configFile(), '--url', pg().cluster.primary.url, '--table', 'fleet_events', '--set', 'counter = counter + 1',
        '--batch-size', '200', '--target-batch-time', 'off', '--max-replica-lag', '512kB', '--format', 'json',
      ]);
      await waitFor(async () => /"event":"pause"/.test(run.output().stdout), 60_000, 'the runner to pause on the leaf');
      const events = jsonEvents(run.output().stdout);
      expect(events.find((e) => e.event === 'watching')).toMatchObject({ replicas: expect.arrayContaining(['d1', 'd4-i3-l2']), unseen: [] });
      expect((events.find((e) => e.event === 'watching')!.replicas as string[])).toHaveLength(50);
      // The leaf is the furthest behind, so it is named first.
      expect(events.find((e) => e.event === 'pause')!.reason).toMatch(/^replica d4-i3-l2 [\d.]+ (kB|MB) behind/);
      expect(events.filter((e) => e.event === 'batch')).toHaveLength(0);
      await psql(leaf, 'SELECT pg_wal_replay_resume()');
      resumed = true;
      const done = await run.done;
      expect(done.code).toBe(0);
      const all = jsonEvents(done.stdout);
      expect(all.some((e) => e.event === 'resume')).toBe(true);
      const batches = all.filter((e) => e.event === 'batch');
      expect(batches.length).toBeGreaterThan(0);
      for (const b of batches) expect(b.limitingReplica).toMatchObject({ replica: expect.any(String) });
      expect(await psql('primary', 'SELECT count(*) FILTER (WHERE counter = 1) FROM fleet_events WHERE id > 10')).toBe('5990');
    } finally {
      if (!resumed) await psql(leaf, 'SELECT pg_wal_replay_resume()');
    }
  });
});
