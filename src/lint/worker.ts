/**
 * The worker thread of the parallel lint (src/lint/parallel.ts): lints the files it claims, in
 * order, against its own context, which lacks the files the main thread took; each file's
 * findings go back with the journal of what its analysis read and changed in the context.
 * Started through worker-bundle.ts, which runs it from dist/bundle/lint-worker.js when the build
 * made that bundle, else from dist/src/lint/worker.js.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createContext, endsNewTables } from '../effects/analyze-files';
import { ContextJournal, type FileJournal } from '../effects/context-journal';
import { loadParser } from '../sql/parser';
import { analyzeOptionsOf, FileLinter, type LintedFile } from './file-linter';
import type { LintOptions, SqlSource } from './types';

export interface WorkerInput {
  sources: SqlSource[];
  options: LintOptions;
  /** Int32 per file: who lints it (FREE, MAIN, WORKER, then POSTED); then the index of the file the main thread is at. */
  shared: SharedArrayBuffer;
  /** How many files past the main thread the worker may be. */
  lookahead: number;
}

export const FREE = 0;
export const MAIN = 1;
export const WORKER = 2;
/** Linted by the worker, its result posted: the main thread's event loop delivers it when the main thread next waits. */
export const POSTED = 3;

/** One file's result; `failed`: the analysis threw, the worker stopped and the main thread lints the file itself. */
export type WorkerResult = { index: number; linted: LintedFile; journal: FileJournal } | { index: number; failed: true };

/** Lints the input's files the main thread leaves; exported for the build, which runs it on a sample to make the bundle's code cache. */
export async function runWorker(input: WorkerInput, post: (result: WorkerResult) => void): Promise<void> {
  const { sources, options, lookahead } = input;
  const shared = new Int32Array(input.shared);
  const count = sources.length;
  const analyzeOptions = analyzeOptionsOf(options);
  await loadParser();
  const ctx = createContext(analyzeOptions);
  const journal = new ContextJournal(ctx);
  const linter = new FileLinter(options);
  // Files before `next` were linted here or skipped: the ones the main thread took.
  let next = 0;
  for (let index = 0; index < count; index++) {
    if (Atomics.load(shared, index) !== FREE) continue;
    for (let at = Atomics.load(shared, count); index - at > lookahead; at = Atomics.load(shared, count)) Atomics.wait(shared, count, at);
    if (Atomics.compareExchange(shared, index, FREE, WORKER) !== FREE) continue;
    // A skipped file that ends new tables ends them here too, so both contexts forget them at the same file.
    for (; next < index; next++) if (endsNewTables(sources[next], analyzeOptions)) ctx.treatAllAsExisting();
    next = index + 1;
    let linted: LintedFile;
    try {
      linted = await linter.lint(sources[index], ctx);
    } catch {
      post({ index, failed: true });
      return;
    }
    post({ index, linted, journal: journal.take() });
    Atomics.store(shared, index, POSTED);
  }
}

if (parentPort) {
  const port = parentPort;
  runWorker(workerData as WorkerInput, (result) => port.postMessage(result)).catch(() => port.postMessage({ index: -1, failed: true }));
}
