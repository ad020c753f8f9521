import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../harness/cli';
import { useCluster } from '../harness/cluster';
import { jsonEvents, stateOf } from './helpers';

/**
 * Hostile SQL in every flag that takes SQL (--set, --where, --sql): either refused with one line
 * and exit 2 before anything is written, or run so that every row is updated exactly once.
 */
describe('dbops backfill: SQL fragments cannot escape the batch statement', () => {
  const pg = useCluster();
  const url = () => pg().primary.url;
  const sql = (text: string) => pg().psql(pg().primary, text);
  let n = 0;
  /** A fresh 3,000-row table per case, so counts are exact. */
  const table = async () => {
    const name = `inj${++n}`;
    await sql(`CREATE TABLE ${name} (id int PRIMARY KEY, v int NOT NULL DEFAULT 0, w int NOT NULL DEFAULT 0); INSERT INTO ${name} SELECT g FROM generate_series(1, 3000) g;`);
    return name;
  };
  const counts = (name: string) => sql(`SELECT count(*) FILTER (WHERE v = 1) || '/' || count(*) FILTER (WHERE v > 1) || '/' || count(*) FILTER (WHERE v = 0) FROM ${name}`);
  const run = (name: string, change: string[]) =>
    runCli(['backfill', 'run', '--url', url(), '--table', name, ...change, '--batch-size', '1000', '--target-batch-time', 'off', '--format', 'json']);

  const refused: Array<[string, string[], RegExp]> = [
    ['--where closing the range parenthesis', ['--set', 'v = v + 1', '--where', 'true) OR (true'], /^error: --where "true\) OR \(true" is not one SQL expression: "\)" closes a bracket it did not open — /],
    ['--where with a second statement', ['--set', 'v = v + 1', '--where', 'true; UPDATE inj SET v = 9'], /it holds a ";"/],
    ['--where opening a parenthesis the statement closes', ['--set', 'v = v + 1', '--where', '(true'], /a bracket is never closed/],
    ['--where as a list', ['--set', 'v = v + 1', '--where', 'true, true'], /it is a list/],
    ['--where with a bind parameter', ['--set', 'v = v + 1', '--where', 'id > $1'], /\$1 is a bind parameter/],
    ['--where with an unterminated string', ['--set', 'v = v + 1', '--where', "v = 'x"], /is not terminated/],
    ['--set with its own WHERE', ['--set', 'v = v + 1 WHERE true OR true'], /^error: --set "v = v \+ 1 WHERE true OR true" is not one SET list: it holds FROM, WHERE, RETURNING or WITH — /],
    ['--set closing into the WHERE', ['--set', 'v = v + 1 WHERE (true', '--where', 'true) OR (true'], /--set .* is not one SET list: a bracket is never closed/],
    ['--set with a comment eating the range', ['--set', 'v = v + 1 FROM (SELECT 1) s --'], /holds FROM, WHERE, RETURNING or WITH/],
    ['--set with a bracket', ['--set', 'v = v[1]]'], /"\]" closes a bracket it did not open/],
  ];

  it.each(refused)('refuses %s (exit 2, nothing written)', async (_what, change, message) => {
    const name = await table();
    const r = await run(name, change);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(await counts(name)).toBe('0/0/3000');
    expect(await stateOf(pg(), `public.${name}`, 'status')).toBe('');
  });

  const accepted: Array<[string, string[]]> = [
    ['a comment that would have swallowed the range', ['--set', 'v = v + 1 --', '--where', 'true --']],
    ['a block comment holding a parenthesis', ['--set', 'v = v + 1 /* ) */', '--where', 'id > 0 /* ) OR (true */']],
    ['brackets inside strings and quoted names', ['--set', "v = v + length(')'), w = length('(')", '--where', "')' <> '(' AND \"id\" > 0"]],
    ['a subquery in --where', ['--set', 'v = v + 1', '--where', 'id IN (SELECT g FROM generate_series(1, 3000) g) OR (id < 0)']],
    ['a string continued over lines', ['--set', "v = v + length('a'\n'b') - 1"]],
  ];

  it.each(accepted)('runs %s with every row updated exactly once', async (_what, change) => {
    const name = await table();
    const r = await run(name, change);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(jsonEvents(r.stdout).at(-1)).toMatchObject({ event: 'done', rowsDone: 3000, batches: 3 });
    expect(await counts(name)).toBe('3000/0/0');
  });

  describe('--sql', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-bf-frag-'));
    const file = (body: string) => {
      const f = path.join(dir, `f${++n}.sql`);
      fs.writeFileSync(f, body);
      return f;
    };
    const hostile: Array<[string, (t: string) => string, RegExp]> = [
      ['an OR around the bounds', (t) => `UPDATE ${t} SET v = v + 1 WHERE id BETWEEN $1 AND $2 OR true`, /does not restrict the UPDATE to the batch/],
      ['bounds in parentheses ORed', (t) => `UPDATE ${t} SET v = v + 1 WHERE (id >= $1 AND id <= $2) OR id > 0`, /does not restrict the UPDATE to the batch/],
      ['bounds on another column', (t) => `UPDATE ${t} SET v = v + 1 WHERE w BETWEEN $1 AND $2`, /does not restrict the UPDATE to the batch/],
      ['swapped bounds', (t) => `UPDATE ${t} SET v = v + 1 WHERE id >= $2 AND id <= $1`, /does not restrict the UPDATE to the batch/],
      ['a second statement', (t) => `UPDATE ${t} SET v = v + 1 WHERE id BETWEEN $1 AND $2; UPDATE ${t} SET v = 9`, /holds 2 statements/],
      ['a data-modifying WITH', (t) => `WITH d AS (UPDATE ${t} SET w = 1 RETURNING 1) UPDATE ${t} SET v = v + 1 WHERE id BETWEEN $1 AND $2`, /starts with WITH/],
    ];
    it.each(hostile)('refuses %s', async (_what, body, message) => {
      const name = await table();
      const r = await run(name, ['--sql', file(body(name))]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(await counts(name)).toBe('0/0/3000');
    });

    it.each([
      ['BETWEEN and a condition', (t: string) => `UPDATE ${t} SET v = v + 1 WHERE w = 0 AND id BETWEEN $1 AND $2 -- ) OR (true`],
      ['>= and <= with casts and the table name', (t: string) => `UPDATE ${t} SET v = v + 1 WHERE $1::int <= ${t}.id AND ${t}.id <= $2::int`],
    ])('runs %s exactly once per row', async (_what, body) => {
      const name = await table();
      const r = await run(name, ['--sql', file(body(name))]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(await counts(name)).toBe('3000/0/0');
    });
  });
});
