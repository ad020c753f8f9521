/**
 * The oracle: every statement below runs in its own rolled-back transaction on a real
 * PostgreSQL 15 (tables with rows), and the effects model must have predicted exactly the lock
 * modes taken on the compared tables, the rewrite (relfilenode change) and the full scan
 * (pg_stat_xact_user_tables.seq_scan) — and must never have called an observed rewrite 'no'.
 */
import { Client } from 'pg';
import { analyzeStatement } from '../../src/effects/analyze';
import { traceStatement, type TraceResult } from '../../src/effects/trace';
import type { StatementEffects } from '../../src/effects/types';
import { createContext } from '../../src/lint/engine';
import { loadParser, parseSqlFile } from '../../src/sql/parser';
import { useCluster } from '../harness/cluster';
import { ORACLE_CASES, type OracleCase } from './cases';
import { FIXTURE_DATA, FIXTURE_SCHEMA } from './fixture';

const WATCH = ['t', 'u', 'ul', 'mv', 'p', 'p0', 'p1', 't_d', 't_v_key'];

function predict(sql: string): StatementEffects[] {
  const ctx = createContext({ pgVersion: 15, existingSchema: FIXTURE_SCHEMA });
  const [st] = parseSqlFile(sql).statements;
  const effects = analyzeStatement({ node: st.node, text: st.text }, ctx);
  return effects.nested ? effects.nested.map((n) => n.effects) : [effects];
}

interface Observed {
  locks: string[];
  rewrite: boolean;
  scan: boolean;
}

function predictedOn(all: StatementEffects[], table: string): { locks: string[]; rewrite: string; scan: boolean } {
  const rels = all.flatMap((e) => e.relations).filter((r) => r.relation.key === table);
  const locks = [...new Set(rels.flatMap((r) => r.locks))].sort();
  const rewrite = rels.some((r) => r.rewrite === 'yes') ? 'yes' : rels.some((r) => r.rewrite === 'unknown') ? 'unknown' : 'no';
  return { locks, rewrite, scan: rels.some((r) => r.scan) };
}

/** With the rewrite unknown, so is the ShareLock a rewrite takes to rebuild indexes (it blocks nothing more). */
function comparableLocks(locks: string[], rewrite: string): string[] {
  return rewrite === 'unknown' ? locks.filter((l) => l !== 'ShareLock') : locks;
}

function observedOn(trace: TraceResult, table: string): Observed {
  const r = trace.relations[table];
  return { locks: [...(r?.locks ?? [])].sort(), rewrite: r?.rewritten ?? false, scan: (r?.seqScans ?? 0) > 0 };
}

describe('effects model vs a real PostgreSQL 15', () => {
  const pg = useCluster();
  let client: Client;

  beforeAll(async () => {
    await loadParser();
    client = new Client({ connectionString: pg().primary.url });
    // The harness may stop the server before this file's afterAll closes the connection.
    client.on('error', () => undefined);
    await client.connect();
    await client.query(FIXTURE_SCHEMA + FIXTURE_DATA);
    // The timestamp → timestamptz case depends on the session time zone.
    await client.query("SET TimeZone = 'UTC'");
  });

  afterAll(async () => {
    await client?.end();
  });

  const check = async (c: OracleCase) => {
    const predicted = predict(c.sql);
    const trace = await traceStatement(client, c.sql, WATCH);
    const transactional = predicted.every((e) => e.transactional);
    if (!transactional) {
      // It cannot run inside a transaction block, which is exactly what the server says.
      expect(trace.error?.code).toBe('25001');
      return;
    }
    expect(trace.error).toBeUndefined();
    for (const table of c.on ?? ['t']) {
      const p = predictedOn(predicted, table);
      const o = observedOn(trace, table);
      const label = `${c.sql} — on ${table}`;
      expect({ label, locks: comparableLocks(p.locks, p.rewrite) }).toEqual({ label, locks: comparableLocks(o.locks, p.rewrite) });
      if (o.rewrite) expect({ label, rewrite: p.rewrite }).not.toEqual({ label, rewrite: 'no' });
      if (p.rewrite === 'yes') expect({ label, rewritten: o.rewrite }).toEqual({ label, rewritten: true });
      // When the rewrite itself is unknown, so is the scan that comes with it.
      if (!c.scanNote && p.rewrite !== 'unknown') expect({ label, scan: p.scan }).toEqual({ label, scan: o.scan });
    }
    if (c.rewrite) expect(predictedOn(predicted, (c.on ?? ['t'])[0]).rewrite).toBe(c.rewrite);
  };

  it.each(ORACLE_CASES.map((c) => [c.sql, c] as const))('%s', async (_sql, c) => {
    await check(c);
  });
});
