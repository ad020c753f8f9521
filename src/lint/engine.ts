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
export async function lintSources(sources: SqlSource[], options: LintOptions, observed?: ObservedEffects, sink?: ReportSink): Promise<LintReport> {
  const findings: Finding[] = [];
  const files: LintReport['files'] = [];
  let statements = 0;
  const early = sink ? (batch: Finding[]) => sink.findings(batch) : undefined;
  const done = async (file: LintedFile) => {
    if (sink) {
      if (file.findings.length > 0) await sink.findings(file.findings);
      await sink.fileDone(file.linted);
    } else for (const f of file.findings) findings.push(f);
    if (file.linted) {
      files.push(file.linted);
      statements += file.linted.statements;
    }
  };
  const threads = observed ? 'off' : threadsFor(sources);
  if (threads !== 'off') {
    const { lintInParallel } = require('./parallel') as typeof import('./parallel');
    await lintInParallel(sources, options, { test: threads === 'test' }, done);
  } else {
    await loadParser();
    const ctx = createContext(analyzeOptionsOf(options));
    const linter = new FileLinter(options, observed);
    for (const source of sources) await done(await linter.lint(source, ctx, early));
  }
  return { findings, files, statements, rules: ruleMetas() };
}

/**
 * Takes the findings as the run goes, in report order (the report then holds none): `dbops lint`
 * writes them out at once, so a run's memory does not grow with its findings.
 */
export interface ReportSink {
  /** Findings of the file being linted, in order of position, as soon as nothing can come before them; a promise returned holds the run until it settles. */
  findings(batch: Finding[]): Promise<void> | void;
  /**
   * The file is done (undefined for a file only analysed for context); its findings have all been
   * given. Called once per source, in order; the engine does not read that source's text again.
   */
  fileDone(linted: LintedFile['linted']): Promise<void> | void;
}

/**
 * DBOPS_LINT_THREADS: a run is on one thread unless `on` asks for two (any run of two files or
 * more). Two threads were slower than one in every measurement so far, a quiet 2-core machine
 * included (1.36x: the worker's start-up and warm-up cost more CPU than it takes off the main
 * thread; docs/benchmarks.md), so they are an opt-in to measure on other machines, not a default.
 * `test` (tests only): the main thread lints the first half of the files and takes no work from
 * the worker, so every result of the worker, made without the first half's context, is checked
 * and kept or redone (see parallel.ts).
 */
function threadsFor(sources: SqlSource[]): 'off' | 'auto' | 'test' {
  const forced = process.env.DBOPS_LINT_THREADS;
  if (sources.length < 2) return 'off';
  if (forced === 'test') return 'test';
  return forced === 'on' ? 'auto' : 'off';
}
