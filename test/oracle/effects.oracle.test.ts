/**
 * The oracle: statements run in their own rolled-back transaction on a real PostgreSQL 15 with
 * rows in the tables, and the effects model must have predicted exactly the lock modes the
 * statement took on each table, the rewrite (relfilenode change) and the full scan
 * (pg_stat_xact_user_tables.seq_scan), and must never have called an observed rewrite 'no'.
 * Statements PostgreSQL refuses inside a transaction block must be predicted as such (25001) and,
 * run for real while another session holds SHARE UPDATE EXCLUSIVE on the table, must wait for
 * exactly the lock mode predicted (then the fixture is put back); and
 * syntax predicted to need a release newer than 15 must be rejected by it (42601), and a NOT NULL
 * column added without a default must fail on a table with rows (23502).
 *
 * Two sets run: the cases in cases.ts (the lock/rewrite table of the notes, the type-change
 * matrix, every statement kind) and every rule's bad and good examples.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { RULES } from '../../rules';
import { analyzeStatement } from '../../src/effects/analyze';
import type { LockMode } from '../../src/effects/locks';
import { traceBlocked, traceStatement, type TraceResult } from '../../src/effects/trace';
import type { StatementEffects } from '../../src/effects/types';
import { createContext } from '../../src/effects/analyze-files';
import { loadParser, parseSqlFile } from '../../src/sql/parser';
import { EXAMPLE_DATA, EXAMPLE_SCHEMA } from '../fixtures/example-schema';
import { useCluster } from '../harness/cluster';
import { ORACLE_CASES, type OracleCase } from './cases';
import { FIXTURE_DATA, FIXTURE_SCHEMA } from './fixture';

const SCHEMA = FIXTURE_SCHEMA + EXAMPLE_SCHEMA;
const TABLE_KINDS = new Set(['r', 'p', 'm']);

/** Rule examples whose setup cannot run inside the oracle's transaction. */
const NOT_TRACEABLE: Record<string, string> = {
  'adding-unique-constraint good 1': 'its setup is CREATE UNIQUE INDEX CONCURRENTLY; the USING INDEX step is traced in cases.ts',
};

interface Prediction {
  effects: StatementEffects[];
  transactional: boolean;
  /** The newest release the syntax needs. */
  requires: number;
}

function predict(setup: string[], sql: string): Prediction {
  const ctx = createContext({ pgVersion: 15, existingSchema: SCHEMA });
  for (const text of [...setup, sql]) {
    const [st] = parseSqlFile(text).statements;
    const effects = analyzeStatement({ node: st.node, text: st.text }, ctx);
    if (text === sql) {
      const all = effects.nested ? effects.nested.map((n) => n.effects) : [effects];
      const requires = Math.max(0, ...[effects, ...all].flatMap((e) => (e.requires ?? []).map((r) => r.version)));
      return { effects: all, transactional: all.every((e) => e.transactional) && effects.transactional, requires };
    }
  }
  throw new Error('unreachable');
}

function predictedOn(p: Prediction, table: string) {
  const rels = p.effects.flatMap((e) => e.relations).filter((r) => r.relation.key === table);
  const locks = [...new Set(rels.flatMap((r) => r.locks))];
  const rewrite = rels.some((r) => r.rewrite === 'yes') ? 'yes' : rels.some((r) => r.rewrite === 'unknown') ? 'unknown' : 'no';
  return { locks, rewrite, scan: rels.some((r) => r.scan), indexBuild: rels.some((r) => r.indexBuild !== undefined) };
}

/** Modes the statement added; a mode the setup already held cannot be seen again. */
function added(locks: LockMode[], heldBefore: LockMode[]): LockMode[] {
  return locks.filter((l) => !heldBefore.includes(l)).sort();
}

/**
 * Where the seq_scan counter says nothing about the prediction: TRUNCATE rebuilds the indexes of
 * its new, empty storage (the counter rises, no row is read), and whether an UPDATE/DELETE with a
 * WHERE clause, or a MERGE, scans depends on the planner and the data. A scan the model says it
 * cannot prove either way (cannotProve) is the cautious answer, not a claim.
 */
function scanComparable(p: Prediction, table: string): boolean {
  return !p.effects.some((e) =>
    e.actions.some(
      (a) =>
        a.kind === 'truncate' ||
        a.kind === 'merge' ||
        ((a.kind === 'update' || a.kind === 'delete') && !a.wholeTable) ||
        (a.cannotProve !== undefined && a.relation.key === table),
    ),
  );
}

/** With the rewrite unknown, so is the ShareLock a rewrite takes to rebuild indexes (it blocks nothing more). */
function comparable(locks: LockMode[], rewrite: string): LockMode[] {
  return rewrite === 'unknown' ? locks.filter((l) => l !== 'ShareLock') : locks;
}

describe('effects model vs a real PostgreSQL 15', () => {
  const pg = useCluster();
  let client: Client;
  /** A second session that holds a lock while a non-transactional statement runs (traceBlocked). */
  let blocker: Client;

  beforeAll(async () => {
    await loadParser();
    client = new Client({ connectionString: pg().primary.url });
    // The harness may stop the server before this file's afterAll closes the connection.
    client.on('error', () => undefined);
    await client.connect();
    blocker = new Client({ connectionString: pg().primary.url });
    blocker.on('error', () => undefined);
    await blocker.connect();
    const tablespaceDir = path.join(pg().dir, 'tablespace-fast');
    fs.mkdirSync(tablespaceDir);
    if (process.getuid?.() === 0) execFileSync('chown', ['postgres:postgres', tablespaceDir]);
    await client.query(`CREATE TABLESPACE fast LOCATION '${tablespaceDir}'`);
    await client.query('CREATE ROLE dbops_oracle');
    await client.query(SCHEMA + FIXTURE_DATA + EXAMPLE_DATA);
    // The timestamp → timestamptz case depends on the session time zone.
    await client.query("SET TimeZone = 'UTC'");
  });

  afterAll(async () => {
    await client?.end();
    await blocker?.end();
  });

  /** What puts the shared fixture back after a statement that ran for real (outside a transaction). */
  const undoFor = async (node: Record<string, any>): Promise<() => Promise<void>> => {
    const index = node.IndexStmt;
    if (index?.idxname) return async () => void (await client.query(`DROP INDEX IF EXISTS ${index.idxname}`));
    if (node.DropStmt?.removeType === 'OBJECT_INDEX') {
      const names = node.DropStmt.objects.map((o: any) => o.List.items.map((i: any) => i.String.sval).join('.'));
      const defs = (await client.query<{ def: string }>('SELECT pg_get_indexdef(to_regclass(n)) AS def FROM unnest($1::text[]) n', [names])).rows;
      return async () => {
        for (const d of defs) await client.query(d.def);
      };
    }
    const detach = node.AlterTableStmt?.cmds?.[0]?.AlterTableCmd;
    if (detach?.subtype === 'AT_DetachPartition') {
      const parent = node.AlterTableStmt.relation.relname;
      const child = detach.def.PartitionCmd.name.relname;
      const bound = (await client.query<{ b: string }>('SELECT pg_get_expr(relpartbound, oid) AS b FROM pg_class WHERE oid = to_regclass($1)', [child])).rows[0].b;
      return async () => void (await client.query(`ALTER TABLE ${parent} ATTACH PARTITION ${child} ${bound}`));
    }
    return async () => undefined;
  };

  const check = async (c: OracleCase) => {
    const statements = parseSqlFile(c.sql).statements.filter((s) => !('TransactionStmt' in (s.node as object)));
    const sql = statements[statements.length - 1].text;
    const setup = statements.slice(0, -1).map((s) => s.text);
    const predicted = predict(setup, sql);
    const watch = [...new Set([...predicted.effects.flatMap((e) => e.relations.map((r) => r.relation.key)), 't', 'u', 'uc', 'users', 'orgs'])];
    const trace: TraceResult = await traceStatement(client, sql, watch, setup.length ? setup.join(';\n') : undefined);
    if (predicted.requires > 15) {
      // Syntax of a newer release: PostgreSQL 15 must reject it, as predicted.
      expect({ sql, error: trace.error?.code }).toEqual({ sql, error: '42601' });
      return;
    }
    if (predicted.effects.some((e) => e.actions.some((a) => a.failsIfRows))) {
      // The table has rows: PostgreSQL must refuse the new NOT NULL column without a default.
      expect({ sql, error: trace.error?.code }).toEqual({ sql, error: '23502' });
      return;
    }
    if (!predicted.transactional) {
      // It cannot run inside a transaction block, which is exactly what the server says…
      expect({ sql, error: trace.error?.code }).toEqual({ sql, error: '25001' });
      // …and run on its own, the first lock it waits for is the one predicted.
      const node = statements[statements.length - 1].node as Record<string, any>;
      if (!predicted.effects[0].actions.length || node.DoStmt) return;
      const target = predicted.effects[0].relations.find((r) => r.relation.kind !== 'index') ?? predicted.effects[0].relations[0];
      const undo = await undoFor(node);
      const blocked = await traceBlocked(client, blocker, sql, target.relation.name);
      await undo();
      expect({ sql, error: blocked.error }).toEqual({ sql, error: undefined });
      expect({ sql, waitedFor: blocked.requested }).toEqual({ sql, waitedFor: target.lock });
      return;
    }
    expect({ sql, error: trace.error }).toEqual({ sql, error: undefined });
    const observedTables = Object.values(trace.relations)
      .filter((r) => TABLE_KINDS.has(r.relkind) && added(r.locks, r.heldBefore).length > 0)
      .map((r) => r.name);
    const predictedTables = predicted.effects.flatMap((e) => e.relations).filter((r) => r.relation.kind !== 'index').map((r) => r.relation.key);
    const on = c.on ?? [...new Set([...predictedTables, ...observedTables])];
    for (const table of on) {
      const p = predictedOn(predicted, table);
      const o = trace.relations[table] ?? { locks: [], heldBefore: [], rewritten: false, seqScans: 0, indexBuilds: 0 };
      const label = `${sql} — on ${table}`;
      expect({ label, locks: comparable(added(p.locks, o.heldBefore), p.rewrite) }).toEqual({ label, locks: comparable(added(o.locks, o.heldBefore), p.rewrite) });
      if (o.rewritten) expect({ label, rewrite: p.rewrite }).not.toEqual({ label, rewrite: 'no' });
      if (p.rewrite === 'yes') expect({ label, rewritten: o.rewritten }).toEqual({ label, rewritten: true });
      // When the rewrite itself is unknown, so is the scan that comes with it.
      if (scanComparable(predicted, table) && p.rewrite !== 'unknown') expect({ label, scan: p.scan }).toEqual({ label, scan: o.seqScans > 0 });
      // A rewrite writes every index anew as well; apart from that, an index build is its own claim.
      if (!o.rewritten && p.rewrite !== 'unknown') expect({ label, indexBuild: p.indexBuild }).toEqual({ label, indexBuild: o.indexBuilds > 0 });
    }
    if (c.rewrite) expect(predictedOn(predicted, on[0]).rewrite).toBe(c.rewrite);
  };

  describe('statement cases', () => {
    it.each(ORACLE_CASES.map((c) => [c.sql, c] as const))('%s', async (_sql, c) => {
      await check(c);
    });
  });

  const examples = RULES.flatMap((r) =>
    (['bad', 'good'] as const).flatMap((kind) => r.examples[kind].map((sql, i) => ({ name: `${r.meta.id} ${kind} ${i + 1}`, sql }))),
  );

  describe('rule examples', () => {
    it.each(examples.filter((e) => !NOT_TRACEABLE[e.name]).map((e) => [e.name, e] as const))('%s', async (_name, e) => {
      await check({ sql: e.sql });
    });

    it('skips only the examples listed as not traceable', () => {
      expect(examples.filter((e) => NOT_TRACEABLE[e.name]).map((e) => e.name)).toEqual(Object.keys(NOT_TRACEABLE));
    });
  });
});
