import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { runCli } from '../harness/cli';
import { useCluster } from '../harness/cluster';
import { useTempTrees } from '../harness/temp-tree';
import { createSizedTable } from '../../src/testing/sized-table';
import { lintSources } from '../../src/lint/engine';
import type { StatsSnapshot } from '../../src/stats/types';

/**
 * `dbops stats snapshot` on a real PostgreSQL 15 with tables of 10 MB and 100 MB (CI-bounded),
 * and the hold times `dbops lint --stats` estimates from it. Whether the estimates are within 2x
 * of the real times is measured by bench/stats-hold.js on 10 MB, 100 MB and 1 GB and recorded in
 * docs/benchmarks.md, not asserted here: timings on a shared machine are no test verdict.
 */
const pg = useCluster();
const tree = useTempTrees('dbops-stats-');
let client: Client;
let snapshot: StatsSnapshot;

beforeAll(async () => {
  client = new Client({ connectionString: pg().primary.url });
  client.on('error', () => undefined);
  await client.connect();
  await createSizedTable(client, 'public.t10', 10);
  await createSizedTable(client, 'public.t100', 100);
  await client.query('CREATE SCHEMA sales');
  // Same name as public.t10, another schema, another size: the two must never be confused.
  await createSizedTable(client, 'sales.t10', 1);
  // The snapshot reads the cumulative statistics, and this session's counts stay pending in its
  // backend while it flushed less than a second ago or another backend holds a table's entry:
  // report them before the snapshot runs, or t10 may show no writes at all.
  await client.query('SELECT pg_stat_force_next_flush()');
  const res = await runCli(['stats', 'snapshot', '--url', pg().primary.url]);
  expect(res.stderr).toBe('');
  snapshot = JSON.parse(res.stdout) as StatsSnapshot;
}, 300_000);

afterAll(async () => {
  await client?.end();
});

const lintOptions = () => ({ pgVersion: 15, maxLockTimeoutMs: 5000, stats: snapshot });

async function holdOf(sql: string, ruleId: string) {
  const report = await lintSources([{ path: 'm.sql', text: sql }], lintOptions());
  const finding = report.findings.find((f) => f.ruleId === ruleId);
  expect(finding?.hold).toBeDefined();
  return finding!;
}

describe('dbops stats snapshot', () => {
  it('lists tables schema-qualified, with sizes, row estimates, indexes and a throughput measured on this server', () => {
    const byName = new Map(snapshot.tables.map((t) => [`${t.schema}.${t.name}`, t]));
    const [t10, sales, t100] = ['public.t10', 'sales.t10', 'public.t100'].map((n) => byName.get(n)!);
    expect(t10.heapBytes).toBeGreaterThan(9 * 1024 ** 2);
    expect(t100.heapBytes).toBeGreaterThan(90 * 1024 ** 2);
    expect(sales.heapBytes).toBeLessThan(2 * 1024 ** 2);
    expect(t10.rowEstimate).toBeGreaterThan(40_000);
    expect(t10.indexes.map((i) => i.name)).toEqual(['t10_pkey']);
    expect(t10.writesPerSecond).toBeGreaterThan(0);
    expect(snapshot.throughput).toMatchObject({ source: 'measured', measuredOn: 'public.t100' });
  });

  it('keeps names in different schemas apart: sales.t10 and t10 get their own sizes', async () => {
    const own = await holdOf('ALTER TABLE t10 ALTER COLUMN v TYPE bigint;', 'changing-column-type');
    const other = await holdOf('ALTER TABLE sales.t10 ALTER COLUMN v TYPE bigint;', 'changing-column-type');
    expect(own.hold!.table).toBe('public.t10');
    expect(other.hold!.table).toBe('sales.t10');
    expect(other.hold!.tableBytes).toBeLessThan(own.hold!.tableBytes / 4);
    expect(own.message).toMatch(/ — rewrites public\.t10 \(1\d\.\d MB\): ~[\d.]+ s under AccessExclusiveLock$/);
  });

  it('the --stats flag and lint.sizeThresholds: a rewrite of a small table is a warning, of a big one an error', async () => {
    const statsFile = path.join(tree(), 'dbops-stats.json');
    fs.writeFileSync(statsFile, JSON.stringify(snapshot));
    const root = tree({
      'dbops.config.json': JSON.stringify({ lint: { schemaFile: 'schema.sql', sizeThresholds: { warningBelow: '50MB' } } }),
      // Known column types: int → bigint certainly rewrites (an error by default).
      'schema.sql': 'CREATE TABLE t10 (id int NOT NULL, v int, filler text);\nCREATE TABLE t100 (id int NOT NULL, v int, filler text);\n',
      'migrations/0001_small.sql': "SET lock_timeout = '2s';\nALTER TABLE t10 ALTER COLUMN v TYPE bigint;\n",
      'migrations/0002_big.sql': "SET lock_timeout = '2s';\nALTER TABLE t100 ALTER COLUMN v TYPE bigint;\n",
    });
    const withStats = await runCli(['lint', 'migrations', '--stats', statsFile, '--format', 'json'], { cwd: root });
    const found = (JSON.parse(withStats.stdout) as { findings: Array<{ file: string; severity: string; message: string }> }).findings;
    expect(found.map((f) => [f.file, f.severity])).toEqual([
      ['migrations/0001_small.sql', 'warning'],
      ['migrations/0002_big.sql', 'error'],
    ]);
    expect(found[1].message).toContain('rewrites public.t100 (1');
    const without = await runCli(['lint', 'migrations', '--format', 'json'], { cwd: root });
    const plain = (JSON.parse(without.stdout) as { findings: Array<{ severity: string; message: string }> }).findings;
    expect(plain.map((f) => f.severity)).toEqual(['error', 'error']);
    expect(plain.every((f) => !f.message.includes(' — '))).toBe(true);
  });

  it('estimates a scan for SET NOT NULL and a rewrite of table and indexes for a type change, growing with the table', async () => {
    const [scan10, scan100] = await Promise.all(['t10', 't100'].map((t) => holdOf(`ALTER TABLE ${t} ALTER COLUMN v SET NOT NULL;`, 'setting-not-null')));
    const [rewrite10, rewrite100] = await Promise.all(['t10', 't100'].map((t) => holdOf(`ALTER TABLE ${t} ALTER COLUMN v TYPE bigint;`, 'changing-column-type')));
    const t100 = snapshot.tables.find((t) => t.schema === 'public' && t.name === 't100')!;
    expect(scan100.hold).toMatchObject({ kind: 'scan', bytes: t100.heapBytes, lock: 'AccessExclusiveLock' });
    expect(rewrite100.hold).toMatchObject({ kind: 'rewrite', bytes: t100.heapBytes + t100.indexBytes, lock: 'AccessExclusiveLock' });
    expect(scan100.message).toMatch(/ — scans public\.t100 \(1\d\d\.\d MB\): ~[\d.]+ s under AccessExclusiveLock$/);
    // Ten times the table, about ten times the work; a rewrite costs far more than a scan.
    expect(rewrite100.hold!.bytes / rewrite10.hold!.bytes).toBeGreaterThan(8);
    expect(scan100.hold!.seconds).toBeGreaterThan(scan10.hold!.seconds);
    expect(rewrite100.hold!.seconds).toBeGreaterThan(5 * scan100.hold!.seconds);
  });
});
