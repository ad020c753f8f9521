import { waitFor } from '../../src/testing/cluster';
import { useCluster } from '../harness/cluster';
import { newProject, type Project } from './helpers';

const pg = useCluster();

const KILLS = 5;

/**
 * Issue #17: SIGKILL at random points, repeated. After every kill the tracking tables and the
 * schema must agree: a transactional file is all there (and recorded) or not there at all; a
 * statement-by-statement file has exactly the statements its progress rows record (a concurrent
 * index build may have finished unrecorded, never the reverse).
 */
const FILES = {
  '0001_base.sql': "CREATE TABLE base (id int PRIMARY KEY, v text);\nINSERT INTO base SELECT g, 'v' || g FROM generate_series(1, 2000) g;\n",
  '0002_tx.sql':
    'CREATE TABLE t2a (id int);\nSELECT pg_sleep(0.4);\nALTER TABLE base ADD COLUMN note text;\nSELECT pg_sleep(0.4);\nCREATE TABLE t2b (id int);\n',
  '0003_steps.sql':
    'CREATE TABLE t3a (id int);\nSELECT pg_sleep(0.4);\nCREATE INDEX CONCURRENTLY base_v_idx ON base (v);\nSELECT pg_sleep(0.4);\nCREATE TABLE t3b (id int);\n',
};

interface Observed {
  applied: string[];
  progress3: number;
  t2a: boolean;
  t2b: boolean;
  note: boolean;
  t3a: boolean;
  t3b: boolean;
  indexValid: boolean | null;
}

async function observe(p: Project): Promise<Observed> {
  const row = await p.sql(`SELECT concat_ws('|',
      (SELECT coalesce(string_agg(version, ',' ORDER BY version), '') FROM dbops.migrations),
      (SELECT count(*) FROM dbops.migration_progress WHERE version = '0003'),
      to_regclass('t2a') IS NOT NULL, to_regclass('t2b') IS NOT NULL,
      EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'base' AND column_name = 'note'),
      to_regclass('t3a') IS NOT NULL, to_regclass('t3b') IS NOT NULL,
      coalesce((SELECT indisvalid::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'base_v_idx'), 'none'))`);
  const [applied, progress, t2a, t2b, note, t3a, t3b, idx] = row.split('|');
  const b = (s: string) => s === 't' || s === 'true';
  return {
    applied: applied ? applied.split(',') : [],
    progress3: Number(progress),
    t2a: b(t2a),
    t2b: b(t2b),
    note: b(note),
    t3a: b(t3a),
    t3b: b(t3b),
    indexValid: idx === 'none' ? null : b(idx),
  };
}

function checkConsistent(o: Observed): void {
  const tx = o.applied.includes('0002');
  expect({ t2a: o.t2a, t2b: o.t2b, note: o.note }).toEqual({ t2a: tx, t2b: tx, note: tx });
  const done3 = o.applied.includes('0003') ? 5 : o.progress3;
  if (!o.applied.includes('0002')) expect(done3).toBe(0);
  expect(o.t3a).toBe(done3 >= 1);
  expect(o.t3b).toBe(done3 >= 5);
  // Recorded as built means built and valid; a build killed midway may leave an INVALID index.
  if (done3 >= 3) expect(o.indexValid).toBe(true);
}

describe('dbops migrate: kill -9 at random points, repeated', () => {
  it(`stays consistent through ${KILLS} kills and completes on the last rerun`, async () => {
    const p = await newProject(pg, { '0001_base.sql': FILES['0001_base.sql'] });
    expect((await p.cli(['migrate'])).code).toBe(0);
    p.write('0002_tx.sql', FILES['0002_tx.sql']);
    p.write('0003_steps.sql', FILES['0003_steps.sql']);
    const started = Date.now();
    for (let i = 0; i < KILLS; i++) {
      const run = p.start(['migrate']);
      // Node and the CLI take ~1 s to start on a loaded machine; the migrations take ~2 s more.
      await new Promise((r) => setTimeout(r, 600 + Math.random() * 2500));
      run.child.kill('SIGKILL');
      await run.done;
      await waitFor(async () => (await p.sql("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'dbops migrate%'")) === '0', 15_000, 'killed runner gone');
      checkConsistent(await observe(p));
    }
    const r = await p.cli(['migrate']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const end = await observe(p);
    checkConsistent(end);
    expect(end.applied).toEqual(['0001', '0002', '0003']);
    expect(end.indexValid).toBe(true);
    expect(await p.sql('SELECT count(*) FROM pg_index WHERE NOT indisvalid')).toBe('0');
    expect(Date.now() - started).toBeLessThan(60_000);
  });
});
