import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../harness/cli';
import { useCluster } from '../harness/cluster';
import { jsonEvents, stateOf } from './helpers';

describe('dbops backfill run', () => {
  const pg = useCluster();
  const url = () => pg().primary.url;
  const sql = (text: string) => pg().psql(pg().primary, text);

  beforeAll(async () => {
    await sql(`
      CREATE TABLE items (id bigint PRIMARY KEY, price int NOT NULL, qty int NOT NULL, total int, counter int NOT NULL DEFAULT 0);
      INSERT INTO items (id, price, qty) SELECT g, g % 100, 1 + g % 7 FROM generate_series(1, 3000) g;
      CREATE TABLE pairs (tenant text NOT NULL, seq int NOT NULL, counter int NOT NULL DEFAULT 0, PRIMARY KEY (tenant, seq));
      INSERT INTO pairs (tenant, seq) SELECT 't' || (g % 7), g FROM generate_series(1, 1500) g;
      CREATE TABLE by_uuid (id uuid PRIMARY KEY, counter int NOT NULL DEFAULT 0);
      INSERT INTO by_uuid SELECT md5(g::text)::uuid FROM generate_series(1, 1200) g;
      CREATE TABLE by_time (at timestamptz NOT NULL, counter int NOT NULL DEFAULT 0);
      CREATE UNIQUE INDEX by_time_at ON by_time (at);
      INSERT INTO by_time SELECT timestamptz '2024-01-01 00:00:00.123456+00' + g * interval '1 second 7 microseconds', 0 FROM generate_series(1, 1100) g;
      CREATE TABLE nokey (a int, b int);
      INSERT INTO nokey SELECT g, g FROM generate_series(1, 10) g;
      CREATE TABLE "Mixed Case" (id int PRIMARY KEY, counter int NOT NULL DEFAULT 0);
      INSERT INTO "Mixed Case" SELECT g FROM generate_series(1, 250) g;
    `);
  });

  it('updates every row exactly once in several batches and records it as done', async () => {
    const r = await runCli(['backfill', 'run', '--url', url(), '--table', 'items', '--set', 'total = price * qty, counter = counter + 1', '--batch-size', '400', '--target-batch-time', 'off', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const events = jsonEvents(r.stdout);
    const batches = events.filter((e) => e.event === 'batch');
    expect(batches).toHaveLength(8);
    expect(batches.every((b) => (b.scanned as number) <= 400)).toBe(true);
    expect(events.at(-1)).toMatchObject({ event: 'done', name: 'public.items', rowsDone: 3000, batches: 8 });
    expect(await sql('SELECT count(*) FILTER (WHERE counter = 1), count(*) FILTER (WHERE total IS DISTINCT FROM price * qty) FROM items')).toBe('3000|0');
    expect(await stateOf(pg(), 'public.items', "status || ' ' || rows_done || ' ' || (cursor->>0)")).toBe('done 3000 3000');
  });

  it('commits batches without waiting for the WAL flush, and the done state with it', async () => {
    // What the server saw in each transaction: the batch UPDATE writes the session's setting into
    // the rows, and a trigger on the state table (which the first test's run created) records it
    // when the backfill is marked done.
    await sql(`
      CREATE TABLE commit_modes (id int PRIMARY KEY, mode text);
      INSERT INTO commit_modes (id) SELECT g FROM generate_series(1, 500) g;
      CREATE TABLE done_commit_modes (name text, mode text);
      CREATE FUNCTION record_done_mode() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.status = 'done' THEN INSERT INTO done_commit_modes VALUES (NEW.name, current_setting('synchronous_commit')); END IF;
          RETURN NEW;
        END $$;
      CREATE TRIGGER record_done_mode AFTER UPDATE ON dbops.backfills FOR EACH ROW EXECUTE FUNCTION record_done_mode();
    `);
    try {
      const r = await runCli(['backfill', 'run', '--url', url(), '--table', 'commit_modes', '--set', "mode = current_setting('synchronous_commit')", '--batch-size', '100', '--target-batch-time', 'off']);
      expect(r.code).toBe(0);
      expect(await sql('SELECT mode, count(*) FROM commit_modes GROUP BY 1')).toBe('off|500');
      expect(await sql('SELECT mode FROM done_commit_modes')).toBe('on');
      expect(await sql("SELECT setting FROM pg_settings WHERE name = 'synchronous_commit'")).toBe('on');
    } finally {
      await sql('DROP TRIGGER record_done_mode ON dbops.backfills');
    }
  });

  it('runs again as a no-op once done', async () => {
    const r = await runCli(['backfill', 'run', '--url', url(), '--table', 'items', '--set', 'total = price * qty, counter = counter + 1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/already done/);
    expect(await sql('SELECT max(counter) FROM items')).toBe('1');
  });

  it('updates only rows matching --where, walking all keys', async () => {
    const r = await runCli(['backfill', 'run', '--url', url(), '--table', 'items', '--name', 'items-odd', '--set', 'counter = counter + 10', '--where', 'id % 2 = 1', '--batch-size', '1000', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(jsonEvents(r.stdout).at(-1)).toMatchObject({ event: 'done', rowsDone: 1500, rowsScanned: 3000 });
    expect(await sql('SELECT counter, count(*) FROM items GROUP BY 1 ORDER BY 1')).toBe('1|1500\n11|1500');
  });

  it('walks a composite text+int key, a uuid key and a timestamptz key (via --key) exactly once', async () => {
    for (const [table, extra] of [['pairs', []], ['by_uuid', []], ['by_time', ['--key', 'at']]] as const) {
      const r = await runCli(['backfill', 'run', '--url', url(), '--table', table, '--set', 'counter = counter + 1', '--batch-size', '97', '--target-batch-time', 'off', ...extra]);
      expect({ table, code: r.code, stderr: r.stderr }).toEqual({ table, code: 0, stderr: expect.any(String) });
      expect(await sql(`SELECT count(*) FILTER (WHERE counter <> 1) || '/' || count(*) FROM ${table}`)).toMatch(/^0\/\d+$/);
    }
    expect(await stateOf(pg(), 'public.pairs', 'jsonb_array_length(cursor)')).toBe('2');
    expect(await stateOf(pg(), 'public.by_time', 'cursor->>0')).toBe(await sql(`SELECT max(at)::text FROM by_time`));
  });

  it('quotes identifiers: a mixed-case table name with a space', async () => {
    const r = await runCli(['backfill', 'run', '--url', url(), '--table', '"Mixed Case"', '--set', 'counter = counter + 1']);
    expect(r.code).toBe(0);
    expect(await sql('SELECT count(*) FROM "Mixed Case" WHERE counter = 1')).toBe('250');
  });

  it('refuses a table without a usable key, naming the fix', async () => {
    const r = await runCli(['backfill', 'run', '--url', url(), '--table', 'nokey', '--set', 'b = a']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('error: public.nokey has no primary key, so dbops backfill has no key to walk — add a primary key, or a unique index on NOT NULL column(s) and pass it with --key');
    const nullable = await runCli(['backfill', 'run', '--url', url(), '--table', 'items', '--key', 'total', '--set', 'qty = 1']);
    expect(nullable.code).toBe(2);
    expect(nullable.stderr).toMatch(/--key column "total" of public.items allows NULLs/);
    const notUnique = await runCli(['backfill', 'run', '--url', url(), '--table', 'items', '--key', 'price', '--set', 'qty = 1']);
    expect(notUnique.stderr).toMatch(/--key price has no unique index on public.items/);
  });

  it('gives one-line errors for bad expressions and leaves the state unchanged', async () => {
    const before = await sql("SELECT count(*) || ':' || sum(counter) FROM items");
    const states = await sql('SELECT count(*) FROM dbops.backfills');
    const cases: Array<[string[], RegExp]> = [
      [['--set', 'total = price *'], /^error: --set "total = price \*" is not one SET list: it ends unexpectedly — /],
      [['--set', 'total = price', '--where', 'qty >'], /^error: --where "qty >" is not one SQL expression: it ends unexpectedly — /],
      [['--set', 'total = (price'], /^error: --set "total = \(price" is not one SET list: a bracket is never closed/],
      [['--set', 'total = 1; DROP TABLE items'], /is not one SET list: it holds a ";"/],
      [['--set', 'total = 1', '--where', 'true RETURNING *'], /^error: --where "true RETURNING \*" is not one SQL expression: syntax error at or near "RETURNING"/],
      [['--set', 'total = nosuchcolumn + 1'], /^error: --set "total = nosuchcolumn \+ 1" does not work on public.items: column "nosuchcolumn" does not exist — fix the expression; nothing was written/],
      [['--set', 'total = 1', '--where', "price = 'abc'"], /does not work on public.items: invalid input syntax for type integer/],
      [['--set', 'id = id + 1'], /--set assigns the key column "id"/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['backfill', 'run', '--url', url(), '--table', 'items', '--name', 'bad', ...args]);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(await sql("SELECT count(*) || ':' || sum(counter) FROM items")).toBe(before);
    expect(await sql('SELECT count(*) FROM dbops.backfills')).toBe(states);
  });

  it('refuses a changed spec under the same name', async () => {
    const r = await runCli(['backfill', 'run', '--url', url(), '--table', 'items', '--name', 'items-odd', '--set', 'counter = counter + 20', '--where', 'id % 2 = 1']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'error: backfill items-odd already exists with a different spec (table public.items, --set "counter = counter + 10" --where "id % 2 = 1") — rerun with the original flags to resume it, or give this one its own --name',
    );
    // Whitespace and comments are not a different spec.
    const same = await runCli(['backfill', 'run', '--url', url(), '--table', 'items', '--name', 'items-odd', '--set', 'counter  =  counter + 10 /* same */', '--where', 'id % 2 = 1']);
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/already done/);
  });

  it('--dry-run shows estimate, SQL and first batches and writes nothing', async () => {
    await sql('CREATE TABLE fresh (id int PRIMARY KEY, v int); INSERT INTO fresh SELECT g, 0 FROM generate_series(1, 500) g; ANALYZE fresh');
    const r = await runCli(['backfill', 'run', '--url', url(), '--table', 'fresh', '--set', 'v = id', '--batch-size', '200', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/estimated rows: ~500/);
    expect(r.stdout).toMatch(/UPDATE "public"."fresh" SET\s+v = id/);
    expect(r.stdout).toMatch(/1\. keys \(1\) … \(200\): 200 rows\n {2}2\. keys \(201\) … \(400\): 200 rows\n {2}3\. keys \(401\) … \(500\): 100 rows/);
    expect(await sql('SELECT count(*) FROM fresh WHERE v <> 0')).toBe('0');
    expect(await stateOf(pg(), 'public.fresh', 'status')).toBe('');
  });

  it('--sql runs the file\'s UPDATE with the batch bounds as $1/$2', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-bf-'));
    const file = path.join(dir, 'fill.sql');
    fs.writeFileSync(file, '-- double the price\nUPDATE fresh SET v = id * 2 WHERE id BETWEEN $1 AND $2 AND id > 10;\n');
    const r = await runCli(['backfill', 'run', '--url', url(), '--table', 'fresh', '--sql', file, '--batch-size', '150', '--target-batch-time', 'off', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(jsonEvents(r.stdout).at(-1)).toMatchObject({ event: 'done', rowsDone: 490, rowsScanned: 500, batches: 4 });
    expect(await sql('SELECT count(*) FROM fresh WHERE v = CASE WHEN id > 10 THEN id * 2 ELSE 0 END')).toBe('500');
    fs.writeFileSync(file, 'UPDATE fresh SET v = 1 WHERE id >= $1');
    const missing = await runCli(['backfill', 'run', '--url', url(), '--table', 'fresh', '--name', 'x', '--sql', file]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/must use exactly the batch bounds \$1 \(first key of the batch\) and \$2 \(last key\); missing \$2/);
    fs.writeFileSync(file, 'UPDATE items SET qty = 1 WHERE id BETWEEN $1 AND $2');
    const other = await runCli(['backfill', 'run', '--url', url(), '--table', 'fresh', '--name', 'x', '--sql', file]);
    expect(other.stderr).toMatch(/updates items, not public.fresh/);
  });

  it('explains a role that may not create the state table', async () => {
    await sql('CREATE DATABASE bf_perm');
    await sql("CREATE ROLE bf_app LOGIN PASSWORD 'app-pw'");
    await pg().psql(pg().primary, 'CREATE TABLE t (id int PRIMARY KEY, v int); GRANT SELECT, UPDATE ON t TO bf_app', 'bf_perm');
    const appUrl = pg().urlFor(pg().primary, { user: 'bf_app', password: 'app-pw', database: 'bf_perm' });
    const r = await runCli(['backfill', 'run', '--url', appUrl, '--table', 't', '--set', 'v = id']);
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe(
      'error: cannot create dbops.backfills: permission denied for database bf_perm — run once as a role that may CREATE in this database, or create schema dbops owned by this role',
    );
  });

  it('explains a missing table and a dead server in one line', async () => {
    const r = await runCli(['backfill', 'run', '--url', url(), '--table', 'nope', '--set', 'a = 1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: table "nope" does not exist — /);
    const dead = await runCli(['backfill', 'run', '--url', 'postgres://u:secretpw@127.0.0.1:1/db', '--table', 'nope', '--set', 'a = 1']);
    expect(dead.code).toBe(3);
    expect(dead.stderr).not.toContain('secretpw');
  });
});
