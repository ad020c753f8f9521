import { buildLagTree } from '../../src/replication/lag/tree';
import type { DownstreamRow, NodeSnapshot } from '../../src/replication/lag/snapshot';
import type { NodeEndpoint } from '../../src/replication/topology';
import { resolveTopology } from '../../src/replication/topology';
import { evaluateTree } from '../../src/reports/lag/evaluate';
import { lagTable, orderForReading } from '../../src/reports/lag/render';
import { blindSpots, replicaLags } from '../../src/backfill/replica-lag';
import { lagPauseReason, limitingReplica } from '../../src/backfill/lag-limit';
import { UsageError } from '../../src/core/errors';
import { connectionsJson, connectionsTable, type EvaluatedNode } from '../../src/reports/connections/render';

/**
 * The lag tree from hand-built snapshots (what each node's NODE_STATE query returns), so the
 * arithmetic of end-to-end lag and causes is checked without a server. The fleet itself is
 * checked in fleet.test.ts.
 */
const MB = 1024 * 1024;
const lsn = (bytes: number) => BigInt(bytes);
let port = 6000;

function endpoint(name: string, upstream?: string): NodeEndpoint {
  return { name, url: `postgres://x@127.0.0.1:${++port}/postgres`, label: `127.0.0.1:${port}/postgres`, ...(upstream ? { upstream } : {}) };
}

function snapshot(e: NodeEndpoint, s: Partial<NodeSnapshot> & { downstreams?: DownstreamRow[] }): NodeSnapshot {
  return {
    endpoint: e,
    inRecovery: true,
    clusterName: e.name,
    walReceiverTimeoutMs: 60_000,
    currentLsn: null,
    receiveLsn: null,
    replayLsn: null,
    lastReplay: null,
    lastReplayAgeSeconds: null,
    replayPaused: false,
    receiver: { status: 'streaming', senderHost: '127.0.0.1', senderPort: null, applicationName: e.name, lastMessageAgeSeconds: 0.1 },
    conninfoHost: null,
    conninfoPort: null,
    downstreams: [],
    ...s,
  };
}

const down = (name: string, replayLsn: number, replayLagSeconds: number | null): DownstreamRow => ({
  applicationName: name, clientAddr: '127.0.0.1', state: 'streaming', syncState: 'async', replayLsn: lsn(replayLsn), replayLagSeconds,
});

/** primary → s1 → c1 → l1, each listed in its upstream's pg_stat_replication. */
function chain(opts: { s1: Partial<NodeSnapshot>; c1: Partial<NodeSnapshot>; l1: Partial<NodeSnapshot>; rows: { s1: DownstreamRow | null; c1: DownstreamRow | null; l1: DownstreamRow | null } }) {
  const p = endpoint('primary');
  const s1 = endpoint('s1');
  const c1 = endpoint('c1', 's1');
  const l1 = endpoint('l1', 'c1');
  const snaps = [
    snapshot(p, { inRecovery: false, currentLsn: lsn(10 * MB), receiver: null, replayPaused: null, downstreams: opts.rows.s1 ? [opts.rows.s1] : [] }),
    snapshot(s1, { ...opts.s1, downstreams: opts.rows.c1 ? [opts.rows.c1] : [] }),
    snapshot(c1, { ...opts.c1, downstreams: opts.rows.l1 ? [opts.rows.l1] : [] }),
    snapshot(l1, opts.l1),
  ];
  const nodes = buildLagTree([p, s1, c1, l1], snaps.map((value) => ({ ok: true as const, value })));
  return Object.fromEntries(nodes.map((n) => [n.name, n]));
}

describe('the lag tree at fleet scale', () => {
  it('a cascade below a standby whose replay is paused keeps its own small lag, not its parent\'s', () => {
    const t = chain({
      s1: { receiveLsn: lsn(10 * MB), replayLsn: lsn(4 * MB), replayPaused: true, lastReplayAgeSeconds: 40 },
      c1: { receiveLsn: lsn(10 * MB), replayLsn: lsn(10 * MB - 1000) },
      l1: { receiveLsn: lsn(10 * MB), replayLsn: lsn(10 * MB) },
      rows: { s1: down('s1', 4 * MB, 40), c1: down('c1', 10 * MB - 1000, 0.2), l1: down('l1', 10 * MB, 0) },
    });
    expect(t.s1).toMatchObject({ bytesBehind: 6 * MB, replayLagSeconds: 40, replayPaused: true, cause: null });
    // 0.2 s behind s1, which has received everything: 0.2 s behind the primary, not 40.2 s.
    expect(t.c1).toMatchObject({ bytesBehind: 1000, bytesBehindUpstream: 1000, replayLagSeconds: 0.2, replayLagUpstreamSeconds: 0.2, cause: null, depth: 2 });
    expect(t.l1).toMatchObject({ bytesBehind: 0, replayLagSeconds: 0, cause: null, depth: 3 });
  });

  it('below a disconnected intermediate: lag against the primary, the intermediate named as the cause of every node below', () => {
    const t = chain({
      s1: { receiveLsn: lsn(10 * MB), replayLsn: lsn(10 * MB) },
      c1: { receiveLsn: lsn(7 * MB), replayLsn: lsn(7 * MB), receiver: null, lastReplayAgeSeconds: 90 },
      l1: { receiveLsn: lsn(7 * MB), replayLsn: lsn(7 * MB) },
      rows: { s1: down('s1', 10 * MB, 0), c1: null, l1: down('l1', 7 * MB, 0) },
    });
    // Found under s1 by the topology although s1 no longer lists it.
    expect(t.c1).toMatchObject({ upstream: 's1', state: 'disconnected', bytesBehind: 3 * MB, replayLagSeconds: 90, cause: null });
    expect(t.l1).toMatchObject({ upstream: 'c1', state: 'streaming', bytesBehind: 3 * MB, bytesBehindUpstream: 0, replayLagUpstreamSeconds: 0, replayLagSeconds: 90, cause: 'c1' });
    const judged = evaluateTree(Object.values(t), { warnSeconds: 3600 });
    const l1 = judged.find((n) => n.name === 'l1')!;
    expect(l1).toMatchObject({ status: 'WARNING', reasons: ['upstream c1 is disconnected: no new WAL reaches this node'] });
    expect(judged.find((n) => n.name === 'c1')!.reasons).toEqual([expect.stringMatching(/^disconnected: no WAL receiver running; no new WAL reaches the 1 node below it$/)]);
  });

  it('orders each node\'s standbys worst subtree first, and --problems keeps only the rows that are not OK', () => {
    const p = endpoint('primary');
    const a = endpoint('a');
    const b = endpoint('b');
    const snaps = [
      snapshot(p, { inRecovery: false, currentLsn: lsn(MB), receiver: null, downstreams: [down('a', MB, 0), down('b', 0, 12)] }),
      snapshot(a, { receiveLsn: lsn(MB), replayLsn: lsn(MB) }),
      snapshot(b, { receiveLsn: lsn(MB), replayLsn: lsn(0), lastReplayAgeSeconds: 12 }),
    ];
    const nodes = orderForReading(evaluateTree(buildLagTree([p, a, b], snaps.map((value) => ({ ok: true as const, value }))), { warnSeconds: 5 }));
    expect(nodes.map((n) => [n.name, n.status])).toEqual([['primary', 'OK'], ['b', 'WARNING'], ['a', 'OK']]);
    const text = lagTable({ generatedAt: new Date(0), status: 'WARNING', thresholds: { warnSeconds: 5 }, nodes, problemsOnly: true });
    expect(text).toMatch(/│ +b +│/);
    expect(text).not.toMatch(/│ +a +│/);
    expect(text.trim().split('\n').pop()).toMatch(/^replication lag: WARNING \(1 WARNING, 2 OK\) at .* · 3 nodes · worst lag 1\.0 MB \/ 12 s at b$/);
  });

  it('the throttle names what it cannot see, and puts the replica closest to its limit first', () => {
    const p = endpoint('primary');
    const snaps = [snapshot(p, { inRecovery: false, currentLsn: lsn(MB), receiver: null, downstreams: [down('s9', MB, 0)] })];
    const nodes = buildLagTree([p], snaps.map((value) => ({ ok: true as const, value })), [{ name: 'far', upstream: 's9' }]);
    expect(blindSpots(nodes)).toEqual([
      "standbys streaming from s9, if any (s9 was found in primary's pg_stat_replication but has no URL)",
      "far (in the topology without a URL, and no watched node lists it)",
    ]);
    expect(replicaLags(nodes).find((l) => l.replica === 'far')!.error).toMatch(/^not listed by s9's pg_stat_replication/);

    const many = Array.from({ length: 6 }, (_, i) => ({ replica: `r${i}`, seconds: i + 3, bytes: 0 }));
    expect(lagPauseReason(many, { seconds: 1, bytes: null })).toBe('replica r5 8.0 s behind, replica r4 7.0 s behind, replica r3 6.0 s behind and 3 more');
    expect(limitingReplica([{ replica: 'a', seconds: 0.2, bytes: 10 }, { replica: 'b', seconds: 0.1, bytes: 900 }], { seconds: 1, bytes: 1000 })).toEqual({ replica: 'b', seconds: 0.1, bytes: 900 });
  });

  it('reads the fleet description: labels, upstreams, replicas without a URL; refuses unknown upstreams and loops', () => {
    const t = resolveTopology({}, {
      topology: {
        primary: 'postgres://m@db1/postgres',
        replicas: [
          { name: 'a', url: 'postgres://m@db2/postgres', region: 'eu', tier: 'relay', upstream: 'primary' },
          { name: 'b', upstream: 'a', region: 'eu' },
        ],
      },
    });
    expect(t.replicas).toEqual([expect.objectContaining({ name: 'a', labels: { region: 'eu', tier: 'relay' }, upstream: 'primary' })]);
    expect(t.listed).toEqual([{ name: 'b', labels: { region: 'eu', tier: undefined }, upstream: 'a' }]);
    const bad = (replicas: Array<{ name: string; url?: string; upstream?: string }>) => () => resolveTopology({}, { topology: { primary: 'postgres://m@db1/postgres', replicas } });
    expect(bad([{ name: 'a', url: 'postgres://m@db2/postgres', upstream: 'nope' }])).toThrow(/a streams from "nope", which is not in the topology/);
    expect(bad([{ name: 'a', upstream: 'b' }, { name: 'b', upstream: 'a' }])).toThrow(/the upstreams of a form a loop \(a → b → a\)/);
    expect(bad([{ name: 'a', url: 'postgres://m@db2/postgres' }, { name: 'a' }])).toThrow(UsageError);
  });

  it('report connections at fifty nodes: worst first, idle nodes on one line, --problems keeps the rest out', () => {
    const node = (name: string, used: number, status: EvaluatedNode['status']): EvaluatedNode => ({
      name, label: `${name}:5432/postgres`, reachable: true, role: name === 'primary' ? 'primary' : 'standby', upstream: null,
      maxConnections: 15, superuserReserved: 2, reserved: null, effectiveLimit: 13, used, usagePercent: Math.round((used / 13) * 1000) / 10,
      byState: { active: used, idle: 0, 'idle in transaction': 0, 'idle in transaction (aborted)': 0 },
      byApplication: used ? [{ name: 'app', count: used }] : [], byUser: used ? [{ name: 'u', count: used }] : [], byClientAddr: used ? [{ name: '10.0.0.1', count: used }] : [],
      oldestIdleInTransaction: null, oldestTransaction: null, status, reasons: status === 'OK' ? [] : ['12 of 13 (92.3%) ≥ 80%'],
    });
    const report = {
      generatedAt: new Date(0), status: 'WARNING' as const, thresholds: {}, limit: 5000, pgbouncers: [], sharedApplications: [],
      nodes: [node('primary', 2, 'OK'), ...Array.from({ length: 48 }, (_, i) => node(`r${i}`, 0, 'OK')), node('r48', 12, 'WARNING')],
    };
    const text = connectionsTable(report, 10);
    expect(text.split('\n').filter((l) => l.startsWith('│')).map((l) => l.split('│')[1].trim()).slice(1, 3)).toEqual(['r48', 'primary']);
    expect(text).toContain(`  no client connections: ${Array.from({ length: 48 }, (_, i) => `r${i}`).join(', ')}`);
    expect(text.trim().split('\n').pop()).toBe('connections: WARNING (1 WARNING, 49 OK) at 1970-01-01T00:00:00.000Z · 50 nodes · busiest r48 12 of 13 (92.3%)');
    const problems = connectionsTable({ ...report, problemsOnly: true }, 10);
    expect(problems).toMatch(/│ r48 /);
    expect(problems).not.toMatch(/│ (primary|r0) /);
    const json = JSON.parse(connectionsJson({ ...report, problemsOnly: true }));
    expect(json.nodes.map((n: { name: string }) => n.name)).toEqual(['r48']);
    expect(json.summary).toEqual({ nodes: 50, counts: { OK: 49, WARNING: 1, CRITICAL: 0, UNKNOWN: 0 } });
  });
});
