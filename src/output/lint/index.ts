import type { LintRun } from './model';
import type { LintFormat } from './formats';

/** Renders a run in one format; each format lives in its own module, loaded only when chosen. */
export function renderLint(format: LintFormat, run: LintRun, options: { color: boolean }): string {
  switch (format) {
    case 'pretty':
      return (require('./pretty') as typeof import('./pretty')).renderPretty(run, options);
    case 'json':
      return (require('./json') as typeof import('./json')).renderJson(run);
    case 'sarif':
      return (require('./sarif') as typeof import('./sarif')).renderSarif(run);
    case 'github':
      return (require('./github') as typeof import('./github')).renderGithub(run);
    case 'gitlab':
      return (require('./gitlab') as typeof import('./gitlab')).renderGitlab(run);
    case 'markdown':
      return (require('./markdown') as typeof import('./markdown')).renderMarkdown(run);
  }
}

/** Colour when forced (FORCE_COLOR), never with NO_COLOR, otherwise only on a terminal. */
export function wantsColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}
