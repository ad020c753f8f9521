/**
 * A lint run on two threads with the findings of the one-thread run, in the same order.
 *
 * The context flows from file to file (a table created in one file is not new in the next), so
 * a file can only be judged exactly once every file before it is. The main thread does that, in
 * order; a worker thread (worker.ts) runs ahead on later files against its own context, which
 * lacks the files the main thread took, and journals what each file's analysis read from the
 * context and the calls that changed it (src/effects/context-journal.ts). The main thread keeps
 * a worker's file when it read nothing where the two contexts may differ (DirtyKeys: what the
 * files the worker skipped wrote) and replays its calls instead of analysing it; otherwise it
 * lints the file again itself. Work is shared by claiming files from one shared counter: the
 * worker takes the next one; the main thread, when it would wait, takes half of what is left.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { createContext, endsNewTables } from '../effects/analyze-files';
import { ContextJournal, DirtyKeys } from '../effects/context-journal';
import { loadParser } from '../sql/parser';
import { analyzeOptionsOf, FileLinter, type LintedFile } from './file-linter';
import type { LintOptions, SqlSource } from './types';
import type { WorkerInput, WorkerResult } from './worker';

/** Share of the SQL (by size) the main thread starts with: the worker starts later (~100 ms to load the engine and compile the parser). */
const MAIN_SHARE = 0.5;

/** test: the main thread lints the first half of the files and takes no work from the worker (DBOPS_LINT_THREADS=test). */
export async function lintInParallel(sources: SqlSource[], options: LintOptions, mode: { test: boolean }): Promise<LintedFile[]> {
  const count = sources.length;
  const claim = new Int32Array(new SharedArrayBuffer(4));
  const owned = new Uint8Array(count);
  const first = mode.test ? Math.floor(count / 2) : firstWorkerFile(sources);
  owned.fill(1, 0, first);
  Atomics.store(claim, 0, first);

  const results = new Map<number, WorkerResult>();
  let dead = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const worker = new Worker(workerEntry(), { workerData: { sources, options, claim: claim.buffer } satisfies WorkerInput });
  worker.on('message', (result: WorkerResult) => {
    if ('failed' in result) dead = true;
    else results.set(result.index, result);
    notify();
  });
  // A worker that cannot start or dies leaves its files to the main thread: same findings, later.
  worker.on('error', () => {
    dead = true;
    notify();
  });
  worker.on('exit', () => {
    dead = true;
    notify();
  });

  try {
    const analyzeOptions = analyzeOptionsOf(options);
    await loadParser();
    const ctx = createContext(analyzeOptions);
    const journal = new ContextJournal(ctx, false);
    const linter = new FileLinter(options);
    const dirty = new DirtyKeys();
    const linted: LintedFile[] = [];
    const lintHere = async (index: number) => {
      linted.push(await linter.lint(sources[index], ctx));
      dirty.add(journal.take().writes);
    };
    /** Takes the second half of the files from `from` on, if the worker has not claimed `from` yet. */
    const takeHalfFrom = (from: number): boolean => {
      const until = from + Math.ceil((count - from) / 2);
      if (mode.test || from >= count || Atomics.compareExchange(claim, 0, from, until) !== from) return false;
      owned.fill(1, from, until);
      return true;
    };

    for (let index = 0; index < count; index++) {
      if (!owned[index]) {
        for (;;) {
          if (results.has(index) || dead) break;
          const next = Atomics.load(claim, 0);
          if (next === index && takeHalfFrom(index)) break;
          // The worker is on this file: take work from beyond it instead of only waiting.
          if (next === index + 1) takeHalfFrom(index + 1);
          await new Promise<void>((resolve) => (wake = resolve));
        }
      }
      const result = owned[index] ? undefined : results.get(index);
      results.delete(index);
      if (result && !('failed' in result) && !dirty.touches(result.journal.reads)) {
        journal.replay(result.journal.calls);
        if (endsNewTables(sources[index], analyzeOptions)) ctx.treatAllAsExisting();
        linted.push(result.linted);
      } else {
        if (result && !('failed' in result)) dirty.add(result.journal.writes);
        await lintHere(index);
      }
      if (endsNewTables(sources[index], analyzeOptions)) dirty.clearNewTables();
    }
    return linted;
  } finally {
    Atomics.store(claim, 0, count);
    void worker.terminate();
  }
}

/** The first file the worker lints: after about MAIN_SHARE of the SQL. */
function firstWorkerFile(sources: SqlSource[]): number {
  const total = sources.reduce((sum, s) => sum + s.text.length, 0);
  let bytes = 0;
  for (let i = 0; i < sources.length; i++) {
    bytes += sources[i].text.length;
    if (bytes >= total * MAIN_SHARE) return Math.min(i + 1, sources.length - 1);
  }
  return sources.length - 1;
}

/** dist/src/lint/worker.js, also when this module runs from its TypeScript source (jest). */
function workerEntry(): string {
  const beside = path.join(__dirname, 'worker.js');
  return fs.existsSync(beside) ? beside : path.resolve(__dirname, '../../dist/src/lint/worker.js');
}
