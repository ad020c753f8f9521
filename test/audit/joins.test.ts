import { analyzeJoins } from '../../src/audit/joins';
import { constantBlindKey } from '../../src/audit/constant-blind-key';
import { loadParser, parseSqlFile } from '../../src/sql/parser';

beforeAll(async () => {
  await loadParser();
});

function joins(sql: string) {
  const parsed = parseSqlFile(sql);
  expect(parsed.errors).toEqual([]);
  expect(parsed.statements).toHaveLength(1);
  return analyzeJoins(parsed.statements[0].node as Record<string, unknown>);
}

describe('join counting', () => {
  it.each([
    ['a single table', 'SELECT * FROM a', 1, 1, ['a']],
    ['explicit joins', 'SELECT * FROM a JOIN b ON a.id = b.a_id LEFT JOIN c ON c.id = b.c_id', 3, 3, ['a', 'b', 'c']],
    ['comma joins', 'SELECT * FROM a, b, c WHERE a.id = b.id AND b.id = c.id', 3, 3, ['a', 'b', 'c']],
    ['parenthesised join trees', 'SELECT * FROM (a JOIN b ON a.x = b.x) JOIN (c JOIN d ON c.y = d.y) ON a.z = c.z', 4, 4, ['a', 'b', 'c', 'd']],
    ['the same table twice counts twice', 'SELECT * FROM emp e JOIN emp m ON e.manager_id = m.id', 2, 2, ['emp']],
    ['schema-qualified names', 'SELECT * FROM sales.orders o JOIN public.customers c ON c.id = o.customer_id', 2, 2, ['sales.orders', 'public.customers']],
    ['a subquery in FROM', 'SELECT * FROM a JOIN (SELECT * FROM b JOIN c ON b.id = c.id) s ON s.id = a.id', 3, 2, ['a', 'b', 'c']],
    ['a subquery in WHERE', 'SELECT * FROM a WHERE a.id IN (SELECT b.a_id FROM b JOIN c ON c.id = b.c_id) AND EXISTS (SELECT 1 FROM d WHERE d.x = a.x)', 4, 2, ['a', 'b', 'c', 'd']],
    ['a subquery in the select list', 'SELECT a.id, (SELECT count(*) FROM b WHERE b.a_id = a.id) FROM a', 2, 1, ['a', 'b']],
    ['CTE bodies count, CTE references do not', 'WITH x AS (SELECT * FROM a JOIN b ON a.id = b.id), y AS (SELECT * FROM x JOIN c ON c.id = x.id) SELECT * FROM y JOIN d ON d.id = y.id', 4, 2, ['a', 'b', 'c', 'd']],
    ['a schema-qualified name is a table even when a CTE has its name', 'WITH a AS (SELECT 1 AS id) SELECT * FROM a JOIN public.a pa ON pa.id = a.id', 1, 2, ['public.a']],
    ['recursive CTEs', 'WITH RECURSIVE t AS (SELECT id, parent FROM nodes WHERE parent IS NULL UNION ALL SELECT n.id, n.parent FROM nodes n JOIN t ON n.parent = t.id) SELECT * FROM t JOIN labels l ON l.id = t.id', 3, 2, ['nodes', 'labels']],
    ['LATERAL', 'SELECT * FROM a, LATERAL (SELECT * FROM b JOIN c ON c.id = b.id WHERE b.a_id = a.id LIMIT 3) s', 3, 2, ['a', 'b', 'c']],
    ['UNION branches', 'SELECT id FROM a JOIN b ON a.id = b.id UNION SELECT id FROM c UNION ALL SELECT id FROM d JOIN e ON d.id = e.id', 5, 2, ['a', 'b', 'c', 'd', 'e']],
    ['UPDATE … FROM joins the target', 'UPDATE t SET x = u.x FROM u JOIN v ON v.id = u.v_id WHERE u.id = t.id', 3, 3, ['t', 'u', 'v']],
    ['DELETE … USING joins the target', 'DELETE FROM t USING u WHERE u.id = t.id', 2, 2, ['t', 'u']],
    ['INSERT … SELECT counts the SELECT, not the target', 'INSERT INTO archive SELECT * FROM a JOIN b ON a.id = b.id', 2, 2, ['a', 'b']],
    ['functions in FROM are join members, not tables', 'SELECT * FROM a CROSS JOIN LATERAL jsonb_array_elements(a.doc) e', 1, 2, ['a']],
    ['VALUES reads no table', 'SELECT * FROM (VALUES (1), (2)) v(x)', 0, 1, []],
    ['DDL reads no table', 'CREATE TABLE t (id int REFERENCES p(id))', 0, 0, []],
  ])('%s', (_name, sql, tables, widest, relations) => {
    const r = joins(sql);
    expect(r.tables).toBe(tables);
    expect(r.widestJoin).toBe(widest);
    expect(r.relations).toEqual(relations);
  });

  it('the widest join is the largest FROM list of one query level', () => {
    const r = joins(`SELECT * FROM a JOIN b ON a.id = b.id
      WHERE EXISTS (SELECT 1 FROM c, d, e, f WHERE c.id = d.id AND d.id = e.id AND e.id = f.id AND f.id = a.id)`);
    expect(r.tables).toBe(6);
    expect(r.widestJoin).toBe(4);
  });

  it('counts a 13-table join', () => {
    const names = Array.from({ length: 13 }, (_, i) => `t${i + 1}`);
    const sql = `SELECT * FROM t1 ${names.slice(1).map((n, i) => `JOIN ${n} ON ${n}.id = t${i + 1}.next_id`).join(' ')}`;
    const r = joins(sql);
    expect(r.tables).toBe(13);
    expect(r.widestJoin).toBe(13);
    expect(r.crossJoins).toEqual([]);
  });
});

describe('cross joins', () => {
  it.each([
    ['CROSS JOIN', 'SELECT * FROM a CROSS JOIN b', ['a × b']],
    ['JOIN … ON true', 'SELECT * FROM a JOIN b ON true', ['a × b']],
    ['a comma join with no condition', 'SELECT * FROM orders o, customers c WHERE o.total > 10', ['o × c']],
    ['a comma join one condition short', 'SELECT * FROM a, b, c WHERE a.id = b.id AND c.flag', ['a+b × c']],
    ['a join tree comma-joined to an unrelated table', 'SELECT * FROM a JOIN b ON a.id = b.id, c WHERE a.x = 1', ['a+b × c']],
  ])('%s', (_name, sql, expected) => {
    expect(joins(sql).crossJoins).toEqual(expected);
  });

  it.each([
    ['joined comma lists', 'SELECT * FROM a, b WHERE a.id = b.a_id'],
    ['conditions on other columns', 'SELECT * FROM a, b WHERE a.id = b.a_id AND a.x > 3 AND b.y IS NULL'],
    ['USING and NATURAL', 'SELECT * FROM a JOIN b USING (id) NATURAL JOIN c'],
    ['CROSS JOIN LATERAL', 'SELECT * FROM a CROSS JOIN LATERAL (SELECT * FROM b WHERE b.a_id = a.id) s'],
    ['a comma LATERAL item', 'SELECT * FROM a, LATERAL (SELECT * FROM b WHERE b.a_id = a.id) s'],
    ['unqualified columns that may link them', 'SELECT * FROM a, b WHERE a_id = id'],
    ['CTE references joined by condition', 'WITH x AS (SELECT 1 AS id) SELECT * FROM x, a WHERE a.id = x.id'],
  ])('none for %s', (_name, sql) => {
    expect(joins(sql).crossJoins).toEqual([]);
  });
});

describe('constantBlindKey', () => {
  it('is the same for texts that differ only in constants, comments and spacing', () => {
    const a = constantBlindKey("SELECT * FROM t1 WHERE a = 'x''y' AND b = 42 AND c = 1.5e3 -- note\nAND d = E'\\'' AND e = $$q$$ AND f = $1");
    const b = constantBlindKey("SELECT *  FROM t1 WHERE a = 'other' AND b = 7 AND c = 2 /* c */ AND d = E'z' AND e = $tag$r$tag$ AND f = $1");
    expect(a).toBe(b);
  });

  it('keeps names, quoted identifiers and parameters apart', () => {
    expect(constantBlindKey('SELECT * FROM t1')).not.toBe(constantBlindKey('SELECT * FROM t2'));
    expect(constantBlindKey('SELECT "a1" FROM t')).not.toBe(constantBlindKey('SELECT "a2" FROM t'));
    expect(constantBlindKey('SELECT $1')).not.toBe(constantBlindKey('SELECT $2'));
    expect(constantBlindKey("SELECT 'a' FROM t WHERE x = 1")).not.toBe(constantBlindKey("SELECT 'a' FROM u WHERE x = 1"));
  });
});

describe('deep statements (issue #17)', () => {
  it('reports a 4,000-term expression as not audited instead of overflowing the stack', () => {
    const { StatementAnalyzer } = require('../../src/audit/analyzer') as typeof import('../../src/audit/analyzer');
    const analysis = new StatementAnalyzer().analyze(`SELECT ${'1+'.repeat(4000)}1 FROM a JOIN b ON a.x = b.y`);
    expect(analysis).toMatchObject({ ok: false, message: expect.stringMatching(/not audited/) });
    expect(joins(`SELECT ${'1+'.repeat(300)}1 FROM a JOIN b ON a.x = b.y`)).toMatchObject({ tables: 2 });
  });
});
