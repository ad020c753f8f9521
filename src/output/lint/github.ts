import type { Finding } from '../../lint/types';
import { findingText, summarize, renderRun, type LintRun, type LintWriter } from './model';

/**
 * GitHub Actions workflow commands: each finding becomes an annotation on the pull request's
 * diff (`::error file=…,line=…::message`), followed by a plain summary line for the log.
 */
export function renderGithub(run: LintRun): string {
  return renderRun(githubWriter(), run);
}

/** renderGithub finding by finding, each annotation written at once. */
export function githubWriter(): LintWriter {
  return {
    finding: (f) => [`${annotation(f)}\n`],
    end(run, tally) {
      const s = summarize(run, tally);
      return [`dbops lint: ${s.errors} error(s), ${s.warnings} warning(s) in ${s.files} file(s), ${s.statements} statement(s)\n`];
    },
  };
}

function annotation(f: Finding): string {
  const properties: Array<[string, string | number]> = [
    ['file', f.file],
    ['line', f.start.line],
    ['col', f.start.column],
    ['endLine', f.end.line],
  ];
  // GitHub only honours endColumn on single-line annotations.
  if (f.end.line === f.start.line) properties.push(['endColumn', f.end.column]);
  properties.push(['title', `dbops ${f.ruleId}`]);
  const message = findingText(f);
  const props = properties.map(([k, v]) => `${k}=${escapeProperty(String(v))}`).join(',');
  return `::${f.severity} ${props}::${escapeData(message)}`;
}

/** Workflow-command data escaping (from @actions/core): %, CR and LF. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Property values additionally escape `:` and `,`, which delimit properties. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
