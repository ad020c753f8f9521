import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { lintSources } from '../../src/lint/engine';
import { lintAndRender, type LintEngine } from '../../src/lint/run';
import type { LintFormat } from '../../src/output/formats';
import { joinChunks, type ReportChunk } from '../../src/output/spool';
import { useTempTrees } from '../harness/temp-tree';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const options = { pgVersion: 15, maxLockTimeoutMs: 5000 };

/**
 * `dbops lint` writes each finding as soon as nothing can come before it, or spools it when its
 * format prints something before the findings, and keeps none of them: a run's memory does not
 * grow with its findings (#13: 40,000 findings held ~33 MB to the end).
 */
describe('lint report written as the run goes', () => {
  const make = useTempTrees('dbops-stream-');
  const FILES = 40;
  const manyFiles = () =>
    make(
      Object.fromEntries(
        Array.from({ length: FILES }, (_, i) => [
          `db/${String(i + 1).padStart(4, '0')}_change.sql`,
          `ALTER TABLE orders ADD COLUMN c${i} integer NOT NULL DEFAULT ${i};\nCREATE INDEX orders_c${i}_idx ON orders (c${i});\n`,
        ]),
      ),
    );

  /** Lints `dir` through lintAndRender, with an engine that watches the findings it hands over. */
  async function watchedRun(dir: string, format: LintFormat, onBatch: (batch: object[], written: string) => void) {
    const chunks: ReportChunk[] = [];
    const handed: Array<WeakRef<object>> = [];
    let alive = -1;
    let textsKept = -1;
    const engine: LintEngine = async (sources, opts, observed, sink) => {
      const report = await lintSources(sources, opts, observed, {
        findings(batch) {
          for (const f of batch) handed.push(new WeakRef(f));
          sink!.findings(batch);
          onBatch(batch, joinChunks(chunks));
        },
        fileDone: (linted) => sink!.fileDone(linted),
      });
      // WeakRefs hold their target until the current job ends.
      await new Promise((resolve) => setImmediate(resolve));
      gc();
      alive = handed.filter((f) => f.deref() !== undefined).length;
      textsKept = sources.filter((source) => source.text !== '').length;
      return report;
    };
    const exitCode = await lintAndRender({ paths: [`${dir}/db`], format, color: false, cwd: dir, options }, engine, {
      write: (chunk) => void chunks.push(chunk),
      warn: () => undefined,
    });
    return { exitCode, handed: handed.length, alive, textsKept, output: joinChunks(chunks) };
  }

  for (const format of ['text', 'json', 'github', 'sarif', 'gitlab', 'markdown'] as LintFormat[]) {
    it(`${format}: no finding outlives its turn`, async () => {
      const run = await watchedRun(manyFiles(), format, () => undefined);
      expect(run.exitCode).toBe(1);
      expect(run.handed).toBeGreaterThanOrEqual(2 * FILES);
      expect(run.alive).toBe(0);
      // Each file's text is let go once its findings are out.
      expect(run.textsKept).toBe(0);
    });
  }

  it('text: each statement\'s findings are written once it is linted, within a file too', async () => {
    const statements = Array.from({ length: 30 }, (_, i) => `CREATE INDEX big_${i}_idx ON orders (c${i});`);
    const dir = make({ 'db/0001_big.sql': `${statements.join('\n')}\n` });
    const writtenAtBatch: boolean[] = [];
    const run = await watchedRun(dir, 'text', (batch, written) => {
      const line = (batch[0] as { start: { line: number } }).start.line;
      writtenAtBatch.push(written.includes(`0001_big.sql:${line}:1`));
    });
    expect(writtenAtBatch).toEqual(Array(30).fill(true));
    expect(run.output.trim().split('\n').pop()).toMatch(/^✖ 60 errors, 0 warnings in 1 file \(30 statements/);
  });

  it('holds a file\'s findings back behind a rename it defers, and writes them in order', async () => {
    const sql = ['CREATE INDEX a_idx ON orders (a);', 'ALTER TABLE orders RENAME COLUMN a TO b;', 'CREATE INDEX b_idx ON orders (b);'].join('\n');
    const dir = make({ 'db/0001_rename.sql': `${sql}\n` });
    const batches: number[][] = [];
    const run = await watchedRun(dir, 'text', (batch) => batches.push(batch.map((f) => (f as { start: { line: number } }).start.line)));
    // The first statement goes at once; the rest waits for the rename, linted at the end of the file.
    expect(batches).toHaveLength(2);
    expect(new Set(batches[0])).toEqual(new Set([1]));
    expect(new Set(batches[1])).toEqual(new Set([2, 3]));
    const lines = [...run.output.matchAll(/0001_rename\.sql:(\d+):1/g)].map((m) => Number(m[1]));
    expect(lines).toEqual([...lines].sort((x, y) => x - y));
    expect(new Set(lines)).toEqual(new Set([1, 2, 3]));
  });

  it('holds the run while the reader is behind, statement by statement', async () => {
    const statements = Array.from({ length: 30 }, (_, i) => `CREATE INDEX big_${i}_idx ON orders (c${i});`);
    const dir = make({ 'db/0001_big.sql': `${statements.join('\n')}\n` });
    let behind = false;
    let writtenWhileBehind = 0;
    let waits = 0;
    const exitCode = await lintAndRender({ paths: [`${dir}/db`], format: 'text', color: false, cwd: dir, options }, lintSources, {
      write: () => {
        if (behind) writtenWhileBehind++;
      },
      waitForReader: () => {
        waits++;
        behind = true;
        return new Promise<void>((resolve) =>
          setTimeout(() => {
            behind = false;
            resolve();
          }, 1),
        );
      },
      warn: () => undefined,
    });
    expect(exitCode).toBe(1);
    expect(waits).toBeGreaterThanOrEqual(30);
    expect(writtenWhileBehind).toBe(0);
  });
});
