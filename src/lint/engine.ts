/**
 * The lint engine: runs the effects model over the sources (src/effects/analyze-files.ts: context
 * carries across statements and files) and the rules on every analysed statement (file-linter.ts),
 * on one thread, or on two for a big run (parallel.ts).
 */
import { createContext } from '../effects/analyze-files';
import { loadParser } from '../sql/parser';
import { analyzeOptionsOf, FileLinter, ruleMetas, type LintedFile } from './file-linter';
import type { Finding, LintOptions, LintReport, ObservedEffects, SqlSource } from './types';

export { analyzeOptionsOf, ruleMetas, unknownRuleIds } from './file-linter';

/**
 * `observed` (lint --verify): effects a scratch server observed, by file and statement position;
 * the rules judge them instead of the predictions, and the findings carry the verification.
 * A big enough run without `observed` is spread over worker threads (src/lint/parallel.ts), with
 * the same findings in the same order.
 */
export async function lintSources(sources: SqlSource[], options: LintOptions, observed?: ObservedEffects): Promise<LintReport> {
  const linted: LintedFile[] = [];
  const threads = observed ? 'off' : threadsFor(sources);
  if (threads !== 'off') {
    const { lintInParallel } = require('./parallel') as typeof import('./parallel');
    linted.push(...(await lintInParallel(sources, options, { test: threads === 'test' })));
  } else {
    await loadParser();
    const ctx = createContext(analyzeOptionsOf(options));
    const linter = new FileLinter(options, observed);
    for (const source of sources) linted.push(await linter.lint(source, ctx));
  }
  const findings: Finding[] = [];
  const files: LintReport['files'] = [];
  let statements = 0;
  for (const file of linted) {
    for (const f of file.findings) findings.push(f);
    if (file.linted) {
      files.push(file.linted);
      statements += file.linted.statements;
    }
  }
  return { findings, files, statements, rules: ruleMetas() };
}

/**
 * Below this much SQL a run stays on one thread: starting a worker (a fresh V8 isolate loading
 * the engine and compiling the parser, ~100–130 ms) costs more than it saves (docs/benchmarks.md).
 * So does a machine whose cores are all busy (see threadsFor).
 */
const THREADS_MIN_CHARS = 256 * 1024;

/**
 * DBOPS_LINT_THREADS, for tests and benchmarks only: `off` keeps every run on one thread; `on`
 * uses two for any run of two files or more; `test` too, the main thread linting the first half
 * of the files and taking no work from the worker, so every result of the worker, made without
 * the first half's context, is checked and kept or redone (see parallel.ts).
 */
function threadsFor(sources: SqlSource[]): 'off' | 'auto' | 'test' {
  const forced = process.env.DBOPS_LINT_THREADS;
  if (sources.length < 2 || forced === 'off') return 'off';
  if (forced === 'test') return 'test';
  if (forced === 'on') return 'auto';
  let chars = 0;
  for (const s of sources) if ((chars += s.text.length) >= THREADS_MIN_CHARS) break;
  if (chars < THREADS_MIN_CHARS) return 'off';
  // A second thread pays only with a core to run on: on a saturated machine its start-up and
  // the engine's warm-up are extra work for the same cores (1.5x slower at load 13 on 2 cores).
  const os = require('node:os') as typeof import('node:os');
  const cores = os.availableParallelism();
  return cores > 1 && os.loadavg()[0] < cores - 0.5 ? 'auto' : 'off';
}
