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
 * lints the file again itself. Files are claimed in shared memory (see CHUNK); the worker stays
 * at most LOOKAHEAD files ahead of the main thread.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { createContext, endsNewTables } from '../effects/analyze-files';
import { ContextJournal, DirtyKeys } from '../effects/context-journal';
import { loadParser } from '../sql/parser';
import { analyzeOptionsOf, FileLinter, type LintedFile } from './file-linter';
import type { LintOptions, SqlSource } from './types';
import { FREE, MAIN, POSTED, WORKER, type WorkerInput, type WorkerResult } from './worker';

/**
 * The files come in chunks of CHUNK: the main thread starts with the first half of each, the
 * worker with the second, so both work from the start and meet often (the worker starts ~100 ms
 * later: the main thread takes a few of the files the worker has not reached when it gets there,
 * BEHIND_TAKE, and leaves it the rest, so a late worker still gets its share).
 */
const CHUNK = 32;
/** How many of a worker's files the main thread takes when it gets to them before the worker does. */
const BEHIND_TAKE = CHUNK / 4;
/** The worker lints at most this many files past the main thread: the results waiting for it stay few, whatever the number of files. */
const LOOKAHEAD = 2 * CHUNK;

/** test: the main thread lints the first half of the files and takes no work from the worker (DBOPS_LINT_THREADS=test). */
export async function lintInParallel(sources: SqlSource[], options: LintOptions, mode: { test: boolean }, done: (file: LintedFile) => Promise<void>): Promise<void> {
  const count = sources.length;
  // Who lints each file (FREE until claimed), then the index of the file the main thread is at.
  const shared = new Int32Array(new SharedArrayBuffer(4 * (count + 1)));
  if (mode.test) shared.fill(MAIN, 0, Math.floor(count / 2));
  else for (let chunk = 0; chunk < count; chunk += CHUNK) shared.fill(MAIN, chunk, Math.min(count, chunk + CHUNK / 2));

  const results = new Map<number, WorkerResult>();
  let dead = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const workerData: WorkerInput = { sources, options, shared: shared.buffer, lookahead: LOOKAHEAD };
  const worker = new Worker(workerEntry(), { workerData });
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
    /** Claims up to `most` of the files the worker has not claimed, from `from` on, up to the first one it has. */
    const take = (from: number, most: number): boolean => {
      let taken = 0;
      for (let i = from; i < count && taken < most && !mode.test; i++) {
        const was = Atomics.compareExchange(shared, i, FREE, MAIN);
        if (was === WORKER || was === POSTED) break;
        if (was === FREE) taken++;
      }
      return taken > 0;
    };

    for (let index = 0; index < count; index++) {
      Atomics.store(shared, count, index);
      Atomics.notify(shared, count);
      for (let state = Atomics.load(shared, index); state !== MAIN && !results.has(index) && !dead; state = Atomics.load(shared, index)) {
        // The worker has not reached this file: it is behind (it starts late, or gets less of a
        // busy core), so the main thread takes only the next few and leaves it the rest of its half.
        if (take(index, BEHIND_TAKE)) break;
        // The worker is on this file: take work from beyond it instead of only waiting. When it
        // is done with it, its result is only waiting for this thread's event loop: take nothing.
        if (state !== POSTED) take(index + 1, CHUNK / 2);
        await new Promise<void>((resolve) => (wake = resolve));
      }
      const result = Atomics.load(shared, index) === MAIN ? undefined : results.get(index);
      results.delete(index);
      if (result && !('failed' in result) && !dirty.touches(result.journal.reads)) {
        journal.replay(result.journal.calls);
        if (endsNewTables(sources[index], analyzeOptions)) ctx.treatAllAsExisting();
        await done(result.linted);
      } else {
        if (result && !('failed' in result)) dirty.add(result.journal.writes);
        await done(await linter.lint(sources[index], ctx));
        dirty.add(journal.take().writes);
      }
      if (endsNewTables(sources[index], analyzeOptions)) dirty.clearNewTables();
    }
  } finally {
    // Nothing left to claim, and a worker waiting for the main thread wakes up to see it.
    for (let i = 0; i < count; i++) Atomics.compareExchange(shared, i, FREE, MAIN);
    Atomics.store(shared, count, count);
    Atomics.notify(shared, count);
    void worker.terminate();
  }
}

/** dist/src/lint/worker-bundle.js, also when this module runs from its TypeScript source (jest). */
function workerEntry(): string {
  const beside = path.join(__dirname, 'worker-bundle.js');
  return fs.existsSync(beside) ? beside : path.resolve(__dirname, '../../dist/src/lint/worker-bundle.js');
}
