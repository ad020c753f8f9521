import { Client } from 'pg';
import { useCluster } from '../harness/cluster';
import { runCli, type CliResult } from '../harness/cli';
import { freePort, waitFor } from '../../src/testing/cluster';
import { byName, runJson } from './helpers';

/**
 * A generated workload on a real primary (+ standby with hot_standby_feedback): "events" is
 * written and read only by its id; "orders" is busy but joined with "customers" and read by a
 * range; an idle-in-transaction session, a logical replication slot and a prepared transaction
 * hold the xmin horizon back.
 */
describe('dbops report workload', () => {
  const pg = useCluster({
    standbys: true,
    settings: { shared_preload_libraries: 'pg_stat_statements', wal_level: 'logical', max_prepared_transactions: 5, hot_standby_feedback: 'on' },
  });
  const clients: Client[] = [];

  async function open(url: string, application: string): Promise<Client> {
    const c = new Client({ connectionString: url, application_name: application });
    c.on('error', () => undefined);
    await c.connect();
    clients.push(c);
    return c;
  }

  /** Runs the workload until the returned stop() is called. */
  async function generateWorkload(): Promise<() => Promise<void>> {
    const url = pg().primary.url;
    const events = await open(url, 'events-api');
    const reporting = await open(url, 'reporting');
    let running = true;
    const loop = (async () => {
      for (let i = 1; running; i++) {
        await events.query('INSERT INTO events (id, payload) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [i, 'x']);
        await events.query('UPDATE events SET n = n + 1 WHERE id = $1', [Math.ceil(i / 2)]);
        await events.query('SELECT payload FROM events WHERE id = $1', [i]);
        await events.query('BEGIN');
        await events.query('SELECT n FROM events WHERE id = $1 FOR UPDATE', [i]);
        await events.query('COMMIT');
        if (i % 3 === 0) await events.query('DELETE FROM events WHERE id = $1', [i - 2]);
        await reporting.query('INSERT INTO orders (customer_id, total) VALUES ($1, $2)', [(i % 100) + 1, i]);
        if (i % 5 === 0) await reporting.query('UPDATE orders SET total = total + 1 WHERE id = $1', [i]);
        await reporting.query('SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = $1', [i]);
        if (i % 10 === 0) await reporting.query("SELECT count(*) FROM orders WHERE created_at > now() - interval '1 hour'");
        if (i % 10 === 0) await reporting.query("SELECT nextval('orders_id_seq')");
      }
    })();
    return async () => {
      running = false;
      await loop;
    };
  }

  beforeAll(async () => {
    const c = pg();
    await c.psql(c.primary, `
      CREATE EXTENSION pg_stat_statements;
      CREATE TABLE events (id bigint PRIMARY KEY, payload text, n int NOT NULL DEFAULT 0);
      CREATE TABLE customers (id int PRIMARY KEY, name text);
      CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id int REFERENCES customers, total int, created_at timestamptz DEFAULT now());
      INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 100) g;
      CREATE ROLE plain_monitor LOGIN PASSWORD 'plain-password';`);
    await c.psql(c.primary, 'CREATE DATABASE nostats');
    // churn has a database of its own: the workload's tables keep dead tuples behind the held
    // horizon, as many as this machine ran iterations, and would cross the dead-tuple thresholds too.
    await c.psql(c.primary, 'CREATE DATABASE deadtuples');
    await c.psql(c.primary, `
      CREATE EXTENSION pg_stat_statements;
      CREATE TABLE churn (id int PRIMARY KEY, v int) WITH (autovacuum_enabled = false);
      INSERT INTO churn SELECT g, 0 FROM generate_series(1, 1000) g;
      UPDATE churn SET v = 1;`, 'deadtuples');
    // Creating a logical slot waits for running transactions: it goes before the idle one.
    await c.psql(c.primary, "SELECT pg_create_logical_replication_slot('workload_slot', 'pgoutput')");
    await c.psql(c.primary, "BEGIN; INSERT INTO customers VALUES (1000, 'prepared'); PREPARE TRANSACTION 'workload_gid'");
    const stuck = await open(c.primary.url, 'stuck-worker');
    await stuck.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await stuck.query('SELECT count(*) FROM customers');
    await waitFor(async () => (await c.psql(c.primary, "SELECT count(*) FROM pg_stat_replication WHERE application_name = 'standby1' AND backend_xmin IS NOT NULL")) === '1', 20_000, 'standby1 feedback');
  });

  afterAll(async () => {
    await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
    await pg().psql(pg().primary, "ROLLBACK PREPARED 'workload_gid'").catch(() => undefined);
  });

  const args = () => ['report', 'workload', '--url', pg().primary.url, '--replica', `standby1=${pg().standby!.url}`];

  it('finds the write pressure, the horizon holders, replica-safe reads and the key-only table as offload candidate', async () => {
    const stop = await generateWorkload();
    let run: { result: CliResult; json: any };
    try {
      run = await runJson([...args(), '--interval', '3s', '--tier', 'events-api=high', '--tier', 'reporting=low']);
    } finally {
      await stop();
    }
    const { result, json } = run;
    expect(result.stderr).toBe('');
    expect(json).toMatchObject({ report: 'workload', status: 'OK', exitCode: 0 });
    expect(result.code).toBe(0);

    // Writes by table: events takes inserts, updates and deletes; orders inserts and updates.
    const events = json.tables.find((t: any) => t.name === 'public.events');
    const orders = json.tables.find((t: any) => t.name === 'public.orders');
    expect(json.tables[0].name).toBe('public.events');
    expect(events.insertsPerSecond).toBeGreaterThan(0);
    expect(events.updatesPerSecond).toBeGreaterThan(0);
    expect(events.deletesPerSecond).toBeGreaterThan(0);
    expect(events.share).toBeGreaterThan(orders.share);
    expect(events.share + orders.share).toBeCloseTo(1, 5);
    expect(events.hotUpdateRatio).not.toBeNull();
    expect(json.serverWalBytesPerSecond).toBeGreaterThan(0);
    // WAL per statement, mapped to the tables each statement writes by the parser.
    const update = json.statements.find((s: any) => s.text === 'UPDATE events SET n = n + $2 WHERE id = $1');
    expect(update).toMatchObject({ tables: ['public.events'] });
    expect(update.walBytesPerSecond).toBeGreaterThan(0);
    expect(events.walBytesPerSecond).toBeGreaterThan(0);

    // Offload: events is the top candidate by its key; orders is tied by the join.
    expect(json.candidates[0]).toMatchObject({ table: 'public.events', key: 'id' });
    expect(json.candidates[0].evidence.map((e: any) => e.text).sort()).toEqual([
      'DELETE FROM events WHERE id = $1',
      'INSERT INTO events (id, payload) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING',
      'SELECT n FROM events WHERE id = $1 FOR UPDATE',
      'SELECT payload FROM events WHERE id = $1',
      'UPDATE events SET n = n + $2 WHERE id = $1',
    ]);
    expect(json.candidates.map((c: any) => c.table)).not.toContain('public.orders');
    const tied = json.notCandidates.find((c: any) => c.table === 'public.orders');
    expect(tied.reason).toMatch(/joins it with public\.customers|not one key: its WHERE pins no column by equality/);
    expect(tied.evidence[0].text).toMatch(/JOIN customers|created_at >/);

    // Vacuum blockers: each holder named.
    const holders = json.horizon.holders.map((h: any) => `${h.kind}: ${h.name}`);
    expect(holders).toEqual(expect.arrayContaining([
      expect.stringMatching(/^idle in transaction: pid \d+ \(stuck-worker\)$/),
      'replication slot: workload_slot',
      'prepared transaction: workload_gid',
      'standby feedback: standby1',
    ]));
    expect(json.horizon.xidAge).toBeGreaterThan(0);
    expect(json.horizon.xidAge).toBe(json.horizon.holders[0].xidAge);
    expect(json.slots).toEqual([expect.objectContaining({ name: 'workload_slot', type: 'logical', active: false })]);
    expect(json.slots[0].retainedBytes).toBeGreaterThan(0);
    expect(byName(json.databases.map((d: any) => ({ ...d, name: d.database })), 'postgres').headroomPercent).toBeGreaterThan(99);

    // Reads that could go to replicas: plain SELECTs, the join included; not FOR UPDATE, not nextval().
    const reads = json.reads.map((r: any) => r.text);
    expect(reads).toEqual(expect.arrayContaining([
      'SELECT payload FROM events WHERE id = $1',
      'SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = $1',
    ]));
    expect(reads.join('\n')).not.toMatch(/FOR UPDATE|nextval|pg_stat|pg_catalog/);

    // Workload isolation: both tiers on the primary; the standby is a node of its own.
    const primary = byName(json.nodes, 'primary');
    expect(primary.tiers).toEqual([{ tier: 'high', applications: ['events-api'] }, { tier: 'low', applications: ['reporting'] }]);
    expect(primary.applications.map((a: any) => a.name)).toEqual(expect.arrayContaining(['events-api', 'reporting', 'stuck-worker']));
    expect(byName(json.nodes, 'standby1')).toMatchObject({ reachable: true, role: 'standby', status: 'OK' });
  }, 60_000);

  it('prints the sections as text and Prometheus metrics', async () => {
    const text = await runCli([...args(), '--interval', '1s', '--tier', 'events-api=high', '--tier', 'reporting=low']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Writes by table:\n.*\n│ table +│ ins\/s/);
    expect(text.stdout).toMatch(/│ workload_gid +│ prepared transaction +│/);
    expect(text.stdout).toMatch(/│ workload_slot +│ replication slot +│ logical \(pgoutput\), inactive, holds catalog_xmin/);
    expect(text.stdout).toMatch(/│ pid \d+ \(stuck-worker\) +│ idle in transaction +│/);
    expect(text.stdout).toMatch(/│ public\.events +│ +[\d.]+% +│ +[\d.]+ +│ id +│ 5 statements: /);
    expect(text.stdout).toContain('tiers high (events-api) and low (reporting) share primary');
    expect(text.stdout).toMatch(/^workload: OK \(\d+ OK\) at /m);

    const prom = await runCli([...args(), '--interval', '1s', '--format', 'prometheus']);
    expect(prom.code).toBe(0);
    expect(prom.stdout).toContain('dbops_workload_offload_candidate{table="public.events",key="id"} 1');
    expect(prom.stdout).toContain('dbops_workload_horizon_holder_age_xids{kind="prepared transaction",holder="workload_gid"}');
    expect(prom.stdout).toMatch(/dbops_workload_replication_slot_retained_bytes\{slot="workload_slot",type="logical",active="false"\} \d+/);
    expect(prom.stdout).toContain('dbops_report_status{report="workload"} 0');
  }, 60_000);

  it('gives the monitoring exit codes for the horizon, wraparound and dead-tuple thresholds', async () => {
    const warn = await runJson([...args(), '--interval', '200ms', '--horizon-warn', '1s', '--horizon-critical', '1h']);
    expect(warn.result.code).toBe(1);
    expect(warn.json.verdicts.horizon).toMatchObject({ status: 'WARNING', reasons: [expect.stringMatching(/^xmin horizon [\d,]+ xids \/ .* old \(.*\) ≥ 1\.0 s$/)] });

    const critical = await runJson([...args(), '--interval', '200ms', '--horizon-warn', '1 xid', '--horizon-critical', '2 xids']);
    expect(critical.result.code).toBe(2);
    expect(critical.json.verdicts.horizon.status).toBe('CRITICAL');

    // Every database has used some transaction IDs: with 100% headroom demanded, each is short.
    const wraparound = await runJson([...args(), '--interval', '200ms', '--wraparound-warn', '100%', '--wraparound-critical', '0%']);
    expect(wraparound.result.code).toBe(1);
    expect(byName(wraparound.json.databases.map((d: any) => ({ ...d, name: d.database })), 'postgres').status).toBe('WARNING');

    // churn: 1,000 rows updated once with autovacuum off, so half its tuples are dead.
    const deadArgs = () => ['report', 'workload', '--url', pg().urlFor(pg().primary, { database: 'deadtuples' }), '--replica', `standby1=${pg().standby!.url}`];
    const dead = await runJson([...deadArgs(), '--interval', '200ms', '--dead-min-rows', '1000', '--dead-warn', '20%', '--dead-critical', '40%']);
    expect(dead.result.code).toBe(2);
    expect(dead.json.deadTables).toEqual([expect.objectContaining({ name: 'public.churn', deadTuples: 1000, deadRatio: 0.5, autovacuum: 'disabled', status: 'CRITICAL', reasons: ['50% dead tuples ≥ 40%'] })]);
    expect((await runCli([...deadArgs(), '--interval', '200ms', '--dead-min-rows', '1000', '--dead-warn', '20%', '--dead-critical', '60%'])).code).toBe(1);

    // A replica that cannot be reached is UNKNOWN, in its own row; the primary is still reported.
    const port = await freePort();
    const down = await runJson(['report', 'workload', '--url', pg().primary.url, '--replica', `gone=postgres://postgres@127.0.0.1:${port}/postgres`, '--interval', '200ms']);
    expect(down.result.code).toBe(3);
    expect(byName(down.json.nodes, 'gone')).toMatchObject({ reachable: false, status: 'UNKNOWN', reasons: [expect.stringMatching(/connection refused/)] });
    expect(down.json.primary.reachable).toBe(true);
    expect(down.json.tables.length).toBeGreaterThan(0);

    const bad = await runCli([...args(), '--horizon-warn', 'soon']);
    expect(bad.code).toBe(3);
    expect(bad.stderr.trim()).toBe('error: invalid --horizon-warn "soon" — use a duration (--horizon-warn 30min) or a number of transactions (--horizon-warn 50M xids)');
  }, 60_000);

  it('degrades with the grant hint for a role without pg_monitor, and the CREATE EXTENSION hint without pg_stat_statements', async () => {
    const c = pg();
    const plainUrl = c.urlFor(c.primary, { user: 'plain_monitor', password: 'plain-password' });
    const plain = await runJson(['report', 'workload', '--url', plainUrl, '--interval', '200ms']);
    expect(plain.result.code).toBe(3);
    expect(plain.json.status).toBe('UNKNOWN');
    expect(plain.json.degradations).toEqual([expect.objectContaining({ fix: 'GRANT pg_monitor TO "plain_monitor";', blocksVerdict: true })]);
    // What it may read is still there: table writes, slots, prepared transactions.
    expect(plain.json.tables.map((t: any) => t.name)).toContain('public.events');
    expect(plain.json.horizon.holders.map((h: any) => h.name)).toEqual(expect.arrayContaining(['workload_slot', 'workload_gid']));
    const plainText = await runCli(['report', 'workload', '--url', plainUrl, '--interval', '200ms']);
    expect(plainText.stdout).toMatch(/^missing: other roles' sessions, .* — GRANT pg_monitor TO "plain_monitor";$/m);

    const noStats = await runJson(['report', 'workload', '--url', c.urlFor(c.primary, { database: 'nostats' }), '--interval', '200ms']);
    expect(noStats.result.code).toBe(0);
    expect(noStats.json.statementCount).toBeNull();
    expect(noStats.json.degradations).toEqual([
      expect.objectContaining({ fix: 'CREATE EXTENSION pg_stat_statements; in "nostats" (on the primary; it replicates)', blocksVerdict: false }),
    ]);
  }, 60_000);
});
