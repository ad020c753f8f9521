import type { Finding } from '../../lint/types';
import { roughDuration } from '../../stats/hold';
import { formatBytes } from '../../util/size';
import { summarize, renderRun, type LintRun, type LintWriter } from './model';
import { Spool } from '../spool';

/** The first line of every comment: the GitHub Actions job finds its own comment by it and updates it. */
export const MARKDOWN_MARKER = '<!-- dbops-lint -->';

/**
 * A pull request comment: the summary, then the findings grouped by severity, each with its
 * place, rule, the lock it takes and (with a stats file) how long that lock would be held; the
 * statement, why and the safe recipe are collapsed under it.
 */
export function renderMarkdown(run: LintRun): string {
  return renderRun(markdownWriter(), run);
}

/** renderMarkdown finding by finding: errors and warnings each go to a spool, and come after the summary at the end. */
export function markdownWriter(): LintWriter {
  const groups = { error: new Spool(), warning: new Spool() };
  return {
    finding(f) {
      groups[f.severity].add(`\n\n${renderFinding(f).join('\n')}`);
      return [];
    },
    *end(run, tally) {
      const s = summarize(run, tally);
      const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
      const scope = `${plural(s.files, 'file')}, ${plural(s.statements, 'statement')} checked for PostgreSQL ${run.pgVersion}`;
      if (s.errors + s.warnings === 0) {
        yield [MARKDOWN_MARKER, '### dbops lint: no problems', '', `${scope}.`].join('\n') + '\n';
        return;
      }
      yield [MARKDOWN_MARKER, `### dbops lint: ${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}`, '', `In ${plural(s.filesWithFindings, 'file')} (${scope}).`].join('\n');
      for (const [severity, title, count] of [['error', 'Errors', s.errors], ['warning', 'Warnings', s.warnings]] as const) {
        if (count === 0) continue;
        yield `\n\n#### ${title}`;
        yield* groups[severity].read();
      }
      yield '\n';
    },
  };
}

function renderFinding(f: Finding): string[] {
  const facts = [`\`${f.ruleId}\``];
  const lock = f.hold?.lock ?? f.lock;
  if (lock) facts.push(lock);
  if (f.hold) facts.push(`~${roughDuration(f.hold.seconds)} on ${escapeText(f.hold.table)} (${formatBytes(f.hold.tableBytes)})`);
  const lines = [`**${codeSpan(`${f.file}:${f.start.line}`)}** · ${facts.join(' · ')}`, '', escapeText(f.message)];
  const problem = f.category === 'syntax' || f.category === 'input';
  lines.push('', `<details><summary>${problem ? 'Why, and how to fix it' : 'The statement, why, and the safe recipe'}</summary>`);
  // The SQL as sent: for a Knex or TypeORM migration the line above is code, not this statement.
  if (f.statement) lines.push('', ...fenced(f.statement, 'sql'));
  lines.push('', escapeText(f.why));
  if (f.fix) lines.push('', 'Safe recipe:', '', ...fenced(f.fix, problem ? '' : 'sql'));
  lines.push('', '</details>');
  return lines;
}

/** Markdown and HTML in finding text shown as written. */
export function escapeText(text: string): string {
  return text.replace(/[\\`*_[\]<>|#]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : `\\${c}`)).replace(/\n/g, '  \n');
}

/** An inline code span that survives backticks in the text (a longer fence around it). */
function codeSpan(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return longest > 0 ? `${fence} ${text} ${fence}` : `${fence}${text}${fence}`;
}

/** A fenced block whose fence is longer than any backtick run inside it. */
function fenced(text: string, language: string): string[] {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}${language}`, text, fence];
}
