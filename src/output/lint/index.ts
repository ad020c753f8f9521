import { startOf, renderRun, type LintRun, type LintWriter, type LintWriterStart } from './model';
import type { LintFormat } from '../formats';

/** Renders a run in one format; each format lives in its own module, loaded only when chosen. */
export function renderLint(format: LintFormat, run: LintRun, options: { color: boolean }): string {
  return renderRun(lintWriter(format, startOf(run), options), run);
}

/** The writer of a format, to be fed findings as a run produces them (src/lint/run.ts): none of them keeps the findings. */
export function lintWriter(format: LintFormat, start: LintWriterStart, options: { color: boolean }): LintWriter {
  switch (format) {
    case 'text':
      return (require('./text') as typeof import('./text')).textWriter(start, options);
    case 'json':
      return (require('./json') as typeof import('./json')).jsonWriter(start);
    case 'github':
      return (require('./github') as typeof import('./github')).githubWriter();
    case 'sarif':
      return (require('./sarif') as typeof import('./sarif')).sarifWriter(start);
    case 'gitlab':
      return (require('./gitlab') as typeof import('./gitlab')).gitlabWriter();
    case 'markdown':
      return (require('./markdown') as typeof import('./markdown')).markdownWriter();
  }
}

/** Colour when forced (FORCE_COLOR), never with NO_COLOR, otherwise only on a terminal. */
export function wantsColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}
