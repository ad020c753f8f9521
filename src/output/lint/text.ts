import kleur from 'kleur';
import { SourceText } from '../../sql/source-text';
import type { Finding, VerificationReport } from '../../lint/types';
import { startOf, summarize, renderRun, type FindingTally, type LintRun, type LintWriter, type LintWriterStart } from './model';
import { dbopsCommand } from '../../core/dbops-command';

/**
 * For people: `file:line:col`, the rule and severity, the message, a code frame of the
 * statement with the offending lines marked, why it hurts and the safe alternative.
 */
export function renderText(run: LintRun, options: { color: boolean }): string {
  return renderRun(textWriter(startOf(run), options), run);
}

/** renderText finding by finding, each written at once; the summary line at the end. */
export function textWriter(start: LintWriterStart, options: { color: boolean }): LintWriter {
  kleur.enabled = options.color;
  // Findings come file by file: only the current file's text is held for code frames.
  let current: { file: string; source: SourceText | undefined } | undefined;
  const sourceOf = (file: string) => {
    if (current?.file !== file) {
      const text = start.sourceOf(file);
      current = { file, source: text === undefined ? undefined : new SourceText(text) };
    }
    return current.source;
  };
  return {
    finding: (f) => [`${renderFinding(f, sourceOf(f.file))}\n\n`],
    *end(run, tally) {
      if (run.report.verification) yield `${renderVerification(run.report.verification)}\n\n`;
      yield `${summaryLine(run, tally)}\n`;
    },
  };
}

function renderFinding(f: Finding, source: SourceText | undefined): string {
  const severity = f.severity === 'error' ? kleur.red().bold('error') : kleur.yellow().bold('warning');
  const lines = [`${kleur.bold(`${f.file}:${f.start.line}:${f.start.column}`)}  ${severity}  ${kleur.cyan(f.ruleId)}`, `  ${f.message}`];
  if (source && f.category !== 'input') lines.push(...codeFrame(f, source));
  // A JavaScript/TypeScript migration's frame shows the code; the SQL it sends is shown apart.
  if (source && f.statement && !containsStatement(source, f.statement, f.start.offset)) lines.push(...labelled('sql', f.statement));
  lines.push(...labelled('why', f.why));
  if (f.fix) lines.push(...labelled('fix', f.fix));
  if (f.verification) lines.push(...labelled('verified', `${f.verification.observed}${f.verification.modelWasWrong ? ' (model was wrong here: the observation decided this finding)' : ''}`));
  if (f.category !== 'syntax' && f.category !== 'input') lines.push(`  ${kleur.dim(`docs: ${dbopsCommand(`lint --explain ${f.ruleId}`)}`)}`);
  return lines.join('\n');
}

/**
 * Whether the file's text holds the finding's statement. Looked for backwards from the finding
 * first, where a SQL file has it: searching the whole file for every finding made 50,000 findings
 * take seconds (quadratic).
 */
function containsStatement(source: SourceText, statement: string, offset: number): boolean {
  return source.text.lastIndexOf(statement, offset) >= 0 || source.text.indexOf(statement, offset) >= 0;
}

/** --verify: per statement, predicted next to observed; where they differ, "model was wrong here". */
export function renderVerification(v: VerificationReport): string {
  const lines = [kleur.bold(`Verified on ${v.scratch} (history replayed in ${v.setupMs} ms):`)];
  for (const s of v.statements) {
    const mark = s.error ? kleur.red('server error') : s.modelWasWrong ? kleur.red().bold('model was wrong here') : s.traced === 'not-run' ? kleur.dim('not run') : kleur.green('as predicted');
    lines.push(`  ${s.file}:${s.line}  ${mark}  ${kleur.dim(`(${s.traced === 'alone' ? 'run alone: outside a transaction, locks not observed' : s.traced === 'transaction' ? 'traced in a transaction' : 'transaction control'}, ${s.ms} ms)`)}`);
    lines.push(`    predicted: ${s.predicted}`, `    observed:  ${s.observed}`);
    for (const m of s.mismatches) lines.push(`    ${kleur.red('≠')} ${m}`);
    if (s.fromModel) lines.push(`    ${s.fromModel}`);
  }
  return lines.join('\n');
}

function labelled(label: string, text: string): string[] {
  const [first, ...rest] = text.split('\n');
  const pad = ' '.repeat(label.length + 2);
  return [`  ${kleur.bold(label)}: ${first}`, ...rest.map((line) => `  ${pad}${line}`)];
}

const MAX_FRAME_LINES = 9;
const CONTEXT_LINES = 2;

/** The statement's lines (trimmed around the finding when long); `>` marks the finding's lines, carets its columns. */
function codeFrame(f: Finding, source: SourceText): string[] {
  let first = f.start.line;
  let last = f.end.line;
  if (f.statement) {
    const at = source.text.lastIndexOf(f.statement, f.start.offset);
    if (at >= 0 && at + f.statement.length >= f.start.offset) {
      first = source.position(at).line;
      last = Math.max(last, source.position(at + f.statement.length).line);
    }
  } else {
    first = Math.max(1, f.start.line - 1);
  }
  last = Math.min(last, source.lineCount);
  if (last - first + 1 > MAX_FRAME_LINES) {
    first = Math.max(first, f.start.line - CONTEXT_LINES);
    last = Math.min(last, Math.max(f.end.line, f.start.line) + CONTEXT_LINES);
  }
  const width = String(last).length;
  const frame: string[] = [];
  for (let line = first; line <= last; line++) {
    const marked = line >= f.start.line && line <= f.end.line;
    const text = source.lineText(line);
    const gutter = `${marked ? kleur.red().bold('>') : ' '} ${String(line).padStart(width)} | `;
    frame.push(`  ${marked ? gutter : kleur.dim(gutter)}${text}`);
    if (line === f.start.line) {
      const endColumn = f.end.line === line ? Math.max(f.end.column, f.start.column + 1) : text.length + 1;
      const lead = text.slice(0, f.start.column - 1).replace(/[^\t]/g, ' ');
      frame.push(`  ${kleur.dim(`  ${' '.repeat(width)} | `)}${lead}${kleur.red().bold('^'.repeat(Math.max(1, endColumn - f.start.column)))}`);
    }
  }
  return frame;
}

/**
 * One line: the counts, how many of the files they are in, and what was checked. Files that could
 * not be read count among the files (each has its input-error) but not among those checked.
 */
function summaryLine(run: LintRun, tally: FindingTally): string {
  const s = summarize(run, tally);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const notLinted = s.files - s.filesLinted;
  const checked = notLinted === 0 ? plural(s.statements, 'statement') : `${plural(notLinted, 'file')} could not be read; ${plural(s.statements, 'statement')} in ${plural(s.filesLinted, 'file')}`;
  if (s.errors + s.warnings === 0) return `${kleur.green().bold('✔ no problems')} (${plural(s.files, 'file')}, ${checked} checked for PostgreSQL ${run.pgVersion})`;
  const counts = `${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}`;
  const where = s.filesWithFindings === s.files ? plural(s.files, 'file') : `${s.filesWithFindings} of ${plural(s.files, 'file')}`;
  const mark = s.errors > 0 ? kleur.red().bold('✖') : kleur.yellow().bold('⚠');
  return `${mark} ${kleur.bold(counts)} in ${where} (${checked} checked for PostgreSQL ${run.pgVersion})`;
}
