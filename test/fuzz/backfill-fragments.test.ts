import fc from 'fast-check';
import { setBatch } from '../../src/backfill/batch-sql';
import { checkSetChange } from '../../src/backfill/change';
import { restrictsToBatch } from '../../src/backfill/sql-bounds';
import type { TargetTable } from '../../src/backfill/types';
import { UsageError } from '../../src/core/errors';
import { loadParser, parseSqlFile } from '../../src/sql/parser';

/**
 * Random and hostile --set/--where fragments through the validator: each is either refused with a
 * UsageError, or the batch statement built from it is still one statement holding one UPDATE
 * whose WHERE ANDs the key range at its top level (so no row outside the batch can be touched).
 * Bounded: a few seconds.
 */
const table: TargetTable = { schema: 'public', name: 't', quoted: '"public"."t"', display: 'public.t', key: [{ name: 'id', type: 'integer' }], keyIndex: 't_pkey', keyHasMax: true };

const pieces = [
  '(', ')', '((', '))', '[', ']', "'", "''", '"', '$$', '$q$', 'E\'\\\'', '\\', '--', '/*', '*/', ';', ',', '\n', ' ',
  'true', 'false', 'OR', 'AND', 'NOT', 'WHERE', 'FROM', 'RETURNING', 'SELECT', 'UPDATE t SET v = 0', 'DELETE FROM t', 'id', 'v', 'w',
  '=', '+', '-', '1', '$1', '$2', 'v = v + 1', 'w = 2', 'IN (SELECT 1)', 'CASE WHEN true THEN 1 END', '::int', 'é', 'U&"\\0061"',
];
const fragment = fc.oneof(
  fc.array(fc.constantFrom(...pieces), { maxLength: 12 }).map((p) => p.join('')),
  fc.array(fc.constantFrom(...pieces), { maxLength: 12 }).map((p) => p.join(' ')),
  fc.string({ maxLength: 30 }),
);
/** Well-formed boolean expressions, with comments and strings holding brackets and keywords. */
const junk = fc.array(fc.constantFrom(...pieces.filter((p) => !p.includes("'") && !p.includes('*/') && !p.includes('\n'))), { maxLength: 4 }).map((p) => p.join(' '));
const { bool } = fc.letrec<{ bool: string }>((tie) => ({
  bool: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom('true', 'id > 0', 'v IS NULL', 'w IN (SELECT 1)'),
    junk.map((j) => `length('${j}') >= 0`),
    fc.tuple(tie('bool'), tie('bool')).map(([a, b]) => `(${a}) OR ${b}`),
    fc.tuple(tie('bool'), tie('bool')).map(([a, b]) => `${a} AND (${b})`),
    fc.tuple(tie('bool'), junk).map(([a, j]) => `${a} /* ${j} */`),
    fc.tuple(tie('bool'), junk).map(([a, j]) => `${a} -- ${j}\n`),
  ),
}));
const hostile = (base: fc.Arbitrary<string>) => fc.oneof({ arbitrary: base, weight: 5 }, fc.tuple(base, fragment).map(([b, f]) => `${b} ${f}`), fc.tuple(fragment, base).map(([f, b]) => `${f}${b}`), fragment);
const setFragment = hostile(bool.map((b) => `v = CASE WHEN ${b} THEN 1 END`));
const whereFragment = fc.option(hostile(bool), { nil: undefined });

interface Node {
  [key: string]: unknown;
}

/** Every object in a tree, iteratively. */
function nodes(root: unknown): Node[] {
  const out: Node[] = [];
  const todo = [root];
  while (todo.length > 0) {
    const n = todo.pop();
    if (Array.isArray(n)) todo.push(...n);
    else if (n && typeof n === 'object') {
      out.push(n as Node);
      todo.push(...Object.values(n));
    }
  }
  return out;
}

describe('fuzz: backfill --set/--where fragments', () => {
  beforeAll(() => loadParser());

  it('never yield a batch statement of another shape', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(setFragment, whereFragment, async (set, where) => {
        let change;
        try {
          ({ change } = await checkSetChange(set, where, table));
        } catch (err) {
          if (err instanceof UsageError) return;
          throw err;
        }
        if (change.kind !== 'set') throw new Error('not a --set change');
        accepted++;
        const parsed = parseSqlFile(setBatch(table, change.set, change.where));
        expect(parsed.errors).toEqual([]);
        expect(parsed.statements).toHaveLength(1);
        const all = nodes(parsed.statements[0].node);
        const writes = all.filter((n) => 'UpdateStmt' in n || 'DeleteStmt' in n || 'InsertStmt' in n || 'MergeStmt' in n);
        expect(writes).toHaveLength(1);
        const update = writes[0].UpdateStmt as { relation: { relname: string }; whereClause: unknown };
        expect(update.relation.relname).toBe('t');
        // The same check an --sql UPDATE must pass: the key between $1 and $2, ANDed at the top level.
        expect(restrictsToBatch(update.whereClause, table, update.relation)).toBe(true);
      }),
      { numRuns: 3000, interruptAfterTimeLimit: 4000, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) },
    );
    // The generators must reach the accepting side too, or the property says nothing.
    expect(accepted).toBeGreaterThan(20);
  });

  it('accepts the hostile classics only in a harmless form', async () => {
    for (const where of ['true) OR (true', 'true --', 'true /*', "true') OR ('", 'true; DELETE FROM t']) {
      const r = await checkSetChange('v = v + 1', where, table).then(
        (c) => (c.change.kind === 'set' ? c.change.where : undefined),
        (err: Error) => err.constructor.name,
      );
      expect([where, r]).toEqual([where, where === 'true --' ? 'true' : 'UsageError']);
    }
  });

  it('refuses a --set that carries RETURNING (the fuzzer found it: PostgreSQL 18 trees call it returningClause)', async () => {
    for (const set of ['v = 1 RETURNING id', 'v = CASE WHEN (true /* */) OR true THEN 1 END RETURNING U&"\\0061"']) {
      await expect(checkSetChange(set, undefined, table)).rejects.toThrow(/is not one SET list: it holds FROM, WHERE, RETURNING or WITH/);
    }
  });
});
