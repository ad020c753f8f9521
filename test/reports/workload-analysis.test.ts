import { loadParser } from '../../src/sql/parser';
import { parseSqlFile } from '../../src/sql/parser';
import { statementShape } from '../../src/reports/workload/statement-shape';
import { offloadCandidates } from '../../src/reports/workload/offload';
import { primaryOnlyReason } from '../../src/reports/workload/reads';
import { nameResolver, readStatements, StatementShapes, type ReadStatement } from '../../src/reports/workload/statements';
import { parseAgeThreshold, parseWorkloadThresholds } from '../../src/reports/workload/evaluate';
import type { TableWrites } from '../../src/reports/workload/model';
import { tierMap } from '../../src/reports/workload/tiers';

beforeAll(async () => {
  await loadParser();
});

const shape = (sql: string) => statementShape(parseSqlFile(sql).statements[0].node);

describe('statement shape (real parser)', () => {
  it.each([
    ['SELECT payload FROM events WHERE id = $1', { kind: 'select', reads: ['events'], writes: [], notReadOnly: null, keyColumns: ['id'] }],
    ['SELECT * FROM events WHERE id IN ($1, $2) AND tenant = $3::int', { keyColumns: ['id', 'tenant'] }],
    ['UPDATE events SET n = n + $1 WHERE id = ANY($2)', { kind: 'update', writes: ['events'], reads: [], keyColumns: ['id'] }],
    ['INSERT INTO app.events (id, payload) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', { writes: ['app.events'], keyColumns: ['id', 'payload'] }],
    ['INSERT INTO events VALUES ($1, $2)', { keyColumns: ['*'] }],
    ['SELECT * FROM events WHERE created_at > $1', { keyColumns: [], keyProblem: 'its WHERE pins no column by equality (a range or another condition)' }],
    ['SELECT * FROM events WHERE id = $1 OR id = $2', { keyColumns: [], keyProblem: 'its WHERE pins no column by equality (a range or another condition)' }],
    ['SELECT * FROM events WHERE id = other_id', { keyColumns: [] }],
    ['DELETE FROM events', { keyProblem: 'no WHERE clause: it touches every row' }],
    ['SELECT n FROM events WHERE id = $1 FOR UPDATE', { notReadOnly: 'locks rows (FOR UPDATE/SHARE)', keyColumns: ['id'] }],
    ['WITH d AS (DELETE FROM events WHERE id = $1 RETURNING *) SELECT * FROM d', { kind: 'select', writes: ['events'], reads: [], notReadOnly: 'writes in a WITH clause' }],
    ['WITH recent AS (SELECT * FROM events) SELECT * FROM recent WHERE id = $1', { reads: ['events'], keyColumns: [], keyProblem: 'it goes through a WITH clause' }],
    ['SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = $1', { reads: ['orders', 'customers'], keyColumns: [] }],
    ['SELECT * FROM orders WHERE customer_id IN (SELECT id FROM customers WHERE name = $1)', { reads: ['orders', 'customers'] }],
    ['SELECT a.* FROM events a JOIN events b ON b.parent_id = a.id WHERE a.id = $1', { reads: ['events'], keyColumns: [], keyProblem: 'it reads the table more than once (a self-join or a subquery)' }],
    ['UPDATE events SET n = (SELECT max(n) FROM events) WHERE id = $1', { writes: ['events'], keyColumns: [], keyProblem: 'it reads the table more than once (a self-join or a subquery)' }],
    ['SELECT * INTO copy FROM events', { reads: ['events'], notReadOnly: 'SELECT INTO creates a table' }],
    ["SELECT nextval('s'), lower(name) FROM events WHERE id = $1", { functions: ['nextval', 'lower'] }],
    ['SET statement_timeout = 0', { kind: 'other', reads: [], writes: [] }],
  ])('%s', (sql, expected) => {
    expect(shape(sql)).toMatchObject(expected);
  });
});

describe('replica-safe reads', () => {
  const read = (sql: string): ReadStatement => ({ ...statement(sql), touchesUserTable: true });
  const volatility = new Map([['nextval', true], ['lower', false], ['random', true], ['my_audit', true]]);

  it.each([
    ['SELECT * FROM events WHERE id = $1', null],
    ['SELECT random(), lower(payload) FROM events', null],
    ["SELECT nextval('s') FROM events", 'calls the volatile function nextval()'],
    ['SELECT my_audit(id) FROM events', 'calls the volatile function my_audit()'],
    ['SELECT unknown_fn(id) FROM events', 'calls unknown_fn(), which this database does not know'],
    ['SELECT * FROM events WHERE id = $1 FOR SHARE', 'locks rows (FOR UPDATE/SHARE)'],
    ['UPDATE events SET n = 1 WHERE id = $1', 'UPDATE writes'],
  ])('%s', (sql, reason) => {
    expect(primaryOnlyReason(read(sql), volatility)).toBe(reason);
  });
});

function statement(sql: string, calls = 100, queryid = sql): ReadStatement {
  const row = { key: queryid, queryid, query: sql, user: 'app', calls, totalMs: 1, rows: 1, walBytes: 0 };
  const resolve = nameResolver(['public.events', 'public.orders', 'public.customers'], ['public']);
  const { statements } = readStatements([{ row, calls, totalMs: 1, walBytes: 0 }], resolve, new Set(['public.events', 'public.orders', 'public.customers']), new StatementShapes());
  return statements[0];
}

function table(name: string, writesPerSecond: number): TableWrites {
  return {
    name, insertsPerSecond: writesPerSecond, updatesPerSecond: 0, deletesPerSecond: 0, writesPerSecond, share: 0, totalWrites: writesPerSecond * 100,
    hotUpdateRatio: null, liveTuples: 0, deadTuples: 0, deadRatio: null, sinceVacuumSeconds: null, autovacuum: 'ok', autovacuumNote: null, walBytesPerSecond: null,
  };
}

describe('offload candidates', () => {
  it('takes the key every statement pins, and names what ties the others', () => {
    const statements = [
      statement('INSERT INTO events (id, payload) VALUES ($1, $2)'),
      statement('UPDATE events SET payload = $1 WHERE id = $2'),
      statement('SELECT * FROM events WHERE id = $1 AND kind = $2'),
      statement('INSERT INTO orders (customer_id) VALUES ($1)'),
      statement('SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = $1', 50),
      statement('SELECT * FROM customers WHERE id = $1'),
      statement('UPDATE customers SET name = $1 WHERE name = $2', 10),
    ];
    const { candidates, notCandidates } = offloadCandidates([table('public.events', 90), table('public.orders', 50), table('public.customers', 5)], statements, 10);
    expect(candidates).toEqual([expect.objectContaining({ table: 'public.events', key: 'id' })]);
    expect(candidates[0].evidence.map((e) => e.keyColumns.join(',')).sort()).toEqual(['id', 'id,kind', 'id,payload']);
    expect(notCandidates).toEqual([
      expect.objectContaining({ table: 'public.orders', reason: 'SELECT joins it with public.customers' }),
      expect.objectContaining({ table: 'public.customers', reason: 'SELECT joins it with public.orders' }),
    ]);
  });

  it('refuses a table whose statements pin different columns, or that only receives INSERTs', () => {
    const { candidates, notCandidates } = offloadCandidates(
      [table('public.events', 10), table('public.orders', 5), table('public.customers', 1)],
      [
        statement('SELECT * FROM events WHERE id = $1'),
        statement('UPDATE events SET n = 1 WHERE tenant = $1'),
        statement('INSERT INTO orders (id) VALUES ($1)'),
      ],
      10,
    );
    expect(candidates).toEqual([]);
    expect(notCandidates.map((c) => [c.table, c.reason])).toEqual([
      ['public.events', 'statements pin different columns: id in one, tenant in another'],
      ['public.orders', 'only INSERTs: no lookup shows which column to shard by'],
      ['public.customers', 'no statement in pg_stat_statements touches it'],
    ]);
  });
});

describe('thresholds', () => {
  it('reads the horizon age as a duration or a number of transactions', () => {
    expect(parseAgeThreshold('30min', '--horizon-warn')).toEqual({ seconds: 1800 });
    expect(parseAgeThreshold('50M xids', '--horizon-warn')).toEqual({ xids: 50_000_000 });
    expect(parseAgeThreshold('1 xid', '--horizon-warn')).toEqual({ xids: 1 });
    expect(() => parseAgeThreshold('30', '--horizon-warn')).toThrow('invalid --horizon-warn "30"');
  });

  it('refuses a warning past the critical threshold', () => {
    const flags = { horizonWarn: '30min', horizonCritical: '2h', wraparoundWarn: '50%', wraparoundCritical: '25%', deadWarn: '20%', deadCritical: '50%', deadMinRows: 0 };
    expect(() => parseWorkloadThresholds({ ...flags, horizonWarn: '3h' })).toThrow('--horizon-warn (3h) is above --horizon-critical (2h)');
    expect(() => parseWorkloadThresholds({ ...flags, wraparoundWarn: '10%' })).toThrow('--wraparound-warn (10%) is below --wraparound-critical (25%)');
    expect(() => parseWorkloadThresholds({ ...flags, deadWarn: '60%' })).toThrow('--dead-warn (60%) is above --dead-critical (50%)');
    expect(() => parseWorkloadThresholds({ ...flags, deadWarn: '20' })).toThrow('invalid --dead-warn "20"');
  });
});

describe('statement shapes', () => {
  it('parses each text once, and counts a text that is not one statement as unparsed', () => {
    const shapes = new StatementShapes();
    expect(shapes.of('SELECT lower(name) FROM customers WHERE id = $1')).toBe(shapes.of('SELECT lower(name) FROM customers WHERE id = $1'));
    expect(shapes.of('<insufficient privilege>')).toBeNull();
    expect(shapes.of('SELECT 1; SELECT 2')).toBeNull();
    expect(shapes.functionsOf(["SELECT nextval('s')", 'SELECT lower(name), abs(n) FROM customers', '<insufficient privilege>'])).toEqual(['abs', 'lower', 'nextval']);
  });
});

describe('tier mapping', () => {
  it('takes reports.workload.tiers from the config, and --tier wins', () => {
    expect([...tierMap({ 'checkout-api': 'high', reporting: 'low' }, ['reporting=batch', 'etl=low'])]).toEqual([
      ['checkout-api', 'high'],
      ['reporting', 'batch'],
      ['etl', 'low'],
    ]);
  });

  it('refuses a mapping that is not application → tier name', () => {
    expect(() => tierMap(['high'])).toThrow('reports.workload.tiers must map application names to tiers');
    expect(() => tierMap({ api: 3 })).toThrow('reports.workload.tiers["api"] must be a tier name (a string)');
    expect(() => tierMap(undefined, ['api'])).toThrow('--tier needs APPLICATION=TIER, got "api"');
  });
});
