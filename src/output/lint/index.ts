import type { LintRun } from './model';
import type { LintFormat } from '../formats';

/** Renders a run in one format; each format lives in its own module, loaded only when chosen. */
export function renderLint(format: LintFormat, run: LintRun, options: { color: boolean }): string {
  return [...renderLintChunks(format, run, options)].join('');
}

/**
 * The same text in pieces, to be written as they come: a run with 50,000 findings makes tens of
 * megabytes of output, which must not exist as one string (pretty and json, the formats big runs
 * use, render finding by finding; the others in one piece).
 */
export function renderLintChunks(format: LintFormat, run: LintRun, options: { color: boolean }): Iterable<string> {
  switch (format) {
    case 'text':
      return (require('./text') as typeof import('./text')).renderTextChunks(run, options);
    case 'json':
      return (require('./json') as typeof import('./json')).renderJsonChunks(run);
    case 'sarif':
      return [(require('./sarif') as typeof import('./sarif')).renderSarif(run)];
    case 'github':
      return [(require('./github') as typeof import('./github')).renderGithub(run)];
    case 'gitlab':
      return [(require('./gitlab') as typeof import('./gitlab')).renderGitlab(run)];
    case 'markdown':
      return [(require('./markdown') as typeof import('./markdown')).renderMarkdown(run)];
  }
}

/** Colour when forced (FORCE_COLOR), never with NO_COLOR, otherwise only on a terminal. */
export function wantsColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}
