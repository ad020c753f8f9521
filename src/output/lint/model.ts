import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT } from '../../core/exit-codes';
import type { Finding, LintReport, RuleMeta } from '../../lint/types';
import { joinChunks, type ReportChunk } from '../spool';

/** Everything an output format needs: the engine's report (plus input problems) and the texts for code frames. */
export interface LintRun {
  report: LintReport;
  /** File text by displayed path, for code frames. */
  sources: ReadonlyMap<string, string>;
  pgVersion: number;
  tool: { name: string; version: string; informationUri?: string };
  /** Package root holding docs/rules/<id>.md. */
  docsRoot: string;
}

export interface LintSummary {
  /** Every file the run was asked about: linted, or not (missing, unreadable, not UTF-8), as listed in the JSON `files`. */
  files: number;
  /** The files that were read and linted. */
  filesLinted: number;
  /** The files (of `files`) with at least one finding, input problems included. */
  filesWithFindings: number;
  statements: number;
  errors: number;
  warnings: number;
  exitCode: number;
}

/**
 * What the summary needs of a run's findings, counted as they pass: a run's report is written
 * while it is linted, and its findings are not kept (see src/lint/run.ts).
 */
export class FindingTally {
  errors = 0;
  warnings = 0;
  /** Something could not be linted at all: SQL that does not parse, a file that cannot be read. */
  blocked = false;
  private readonly byFile = new Map<string, { errors: number; warnings: number }>();
  /** Files with an input finding, in the order they came (those not linted are listed after the linted ones). */
  readonly inputFiles = new Set<string>();

  add(f: Finding): void {
    let counts = this.byFile.get(f.file);
    if (!counts) this.byFile.set(f.file, (counts = { errors: 0, warnings: 0 }));
    if (f.severity === 'error') {
      this.errors++;
      counts.errors++;
    } else {
      this.warnings++;
      counts.warnings++;
    }
    if (f.category === 'syntax' || f.category === 'input') this.blocked = true;
    if (f.category === 'input') this.inputFiles.add(f.file);
  }

  /** A file's errors and warnings. */
  countsOf(file: string): { errors: number; warnings: number } {
    return this.byFile.get(file) ?? { errors: 0, warnings: 0 };
  }

  get filesWithFindings(): number {
    return this.byFile.size;
  }

  /**
   * 0 nothing at error level; 1 error-level findings; 2 when something could not be linted at all
   * (SQL that does not parse, a missing, binary or unreadable file), even if other files had findings.
   */
  get exitCode(): number {
    if (this.blocked) return EXIT.usage;
    return this.errors > 0 ? EXIT.findings : EXIT.ok;
  }
}

export function tallyOf(findings: Iterable<Finding>): FindingTally {
  const tally = new FindingTally();
  for (const f of findings) tally.add(f);
  return tally;
}

/**
 * Every file of the run in reading order: the linted ones with their statement counts, then the
 * inputs that could not be linted (they have an input finding and no statements).
 */
export function runFiles(run: LintRun, tally: FindingTally = tallyOf(run.report.findings)): Array<{ path: string; statements: number; linted: boolean }> {
  const listed = new Set(run.report.files.map((f) => f.path));
  const notLinted = [...tally.inputFiles].filter((file) => !listed.has(file));
  return [...run.report.files.map((f) => ({ path: f.path, statements: f.statements, linted: true })), ...notLinted.map((path) => ({ path, statements: 0, linted: false }))];
}

export function summarize(run: LintRun, tally: FindingTally = tallyOf(run.report.findings)): LintSummary {
  return {
    files: runFiles(run, tally).length,
    filesLinted: run.report.files.length,
    filesWithFindings: tally.filesWithFindings,
    statements: run.report.statements,
    errors: tally.errors,
    warnings: tally.warnings,
    exitCode: tally.exitCode,
  };
}

/**
 * An output format fed one finding at a time, in report order: it gives what it can write at once
 * and the rest when the run is over (a summary, or the whole document for the formats that need
 * every finding first). `end` gets the run without its findings, and their tally.
 */
export interface LintWriter {
  finding(f: Finding): Iterable<ReportChunk>;
  end(run: LintRun, tally: FindingTally): Iterable<ReportChunk>;
}


/** What a writer knows before the first finding: the rules (for docs links) and the text of each file (for code frames). */
export interface LintWriterStart {
  rules: readonly RuleDescriptor[];
  sourceOf(file: string): string | undefined;
}

/** A complete run through a writer, as one string (tests, and callers with a small report). */
export function renderRun(writer: LintWriter, run: LintRun): string {
  const chunks: ReportChunk[] = [];
  for (const f of run.report.findings) chunks.push(...writer.finding(f));
  chunks.push(...writer.end(run, tallyOf(run.report.findings)));
  return joinChunks(chunks);
}

/** The start of a writer for a run that is already complete. */
export function startOf(run: LintRun): LintWriterStart {
  return { rules: allRules(run.report), sourceOf: (file) => run.sources.get(file) };
}

/** Findings in reading order: files as linted, then line, column and rule id. */
export function orderFindings(findings: readonly Finding[], fileOrder: readonly string[]): Finding[] {
  const rank = new Map(fileOrder.map((file, i) => [file, i]));
  const fileRank = (f: Finding) => rank.get(f.file) ?? -1;
  return [...findings].sort(
    (a, b) =>
      fileRank(a) - fileRank(b) ||
      a.start.line - b.start.line ||
      a.start.column - b.start.column ||
      a.ruleId.localeCompare(b.ruleId),
  );
}

/** A rule as outputs list it: the engine's rules, and dbops's own checks whose category is "syntax" or "input". */
export type RuleDescriptor = Omit<RuleMeta, 'category'> & { category: Finding['category'] };

export const BUILT_IN_RULES: RuleDescriptor[] = [
  { id: 'syntax-error', title: 'The SQL does not parse', category: 'syntax', defaultSeverity: 'error', docs: 'docs/commands/lint.md' },
  { id: 'analysis-error', title: 'A statement dbops could not analyse (nested too deeply, or past a limit)', category: 'syntax', defaultSeverity: 'error', docs: 'docs/rules/analysis-error.md' },
  { id: 'input-error', title: 'An input could not be read as SQL (missing, binary or unreadable)', category: 'input', defaultSeverity: 'error', docs: 'docs/commands/lint.md' },
];

/** The engine's rules plus the built-in ones it does not list, each once. */
export function allRules(report: Pick<LintReport, 'rules'>): RuleDescriptor[] {
  const known = new Set(report.rules.map((r) => r.id));
  return [...report.rules, ...BUILT_IN_RULES.filter((r) => !known.has(r.id))];
}

/** A rule's own docs page (markdown), or undefined when it has none (built-in checks point at the command's page). */
export function readRuleDocs(docsRoot: string, rule: RuleDescriptor): string | undefined {
  if (!rule.docs.startsWith('docs/rules/')) return undefined;
  try {
    return fs.readFileSync(path.join(docsRoot, rule.docs), 'utf8');
  } catch {
    return undefined;
  }
}

/** A rule's full description: the first paragraph of its "The problem" section, else the first paragraph of the page. */
export function firstParagraph(markdown: string): string | undefined {
  const problem = /^##+ The problem\s*$/im.exec(markdown);
  const from = problem ? markdown.slice(problem.index + problem[0].length) : markdown;
  const paragraphs = from.split(/\n\s*\n/).map((p) => p.trim());
  return paragraphs.find((p) => p !== '' && !p.startsWith('#') && !p.startsWith('```') && !p.startsWith('|'))?.replace(/\s*\n\s*/g, ' ');
}

/**
 * A fingerprint that survives edits elsewhere in the file: rule, file and the statement's text
 * (whitespace-normalised), not its line number; repeats of the same statement get an ordinal.
 * Given the findings in report order, one at a time: it remembers a digest per distinct key, not
 * the findings.
 */
export class Fingerprints {
  // Only the sarif and gitlab formats need hashes: keep node:crypto off the start-up path.
  private readonly crypto = require('node:crypto') as typeof import('node:crypto');
  private readonly seen = new Map<string, number>();

  next(f: Finding): string {
    const subject = f.statement ? f.statement.replace(/\s+/g, ' ').trim() : `${f.start.line}:${f.start.column}`;
    const key = `${f.ruleId}\0${f.file}\0${subject}\0${f.message}`;
    const digest = this.crypto.createHash('sha256').update(key).digest('base64');
    const ordinal = this.seen.get(digest) ?? 0;
    this.seen.set(digest, ordinal + 1);
    return this.crypto.createHash('sha256').update(`${key}\0${ordinal}`).digest('hex').slice(0, 32);
  }
}

/** A finding as one plain-text message: what, why, and the safe alternative (for CI annotations and SARIF). */
export function findingText(f: Finding): string {
  const fixLabel = f.category === 'syntax' || f.category === 'input' ? 'Fix' : 'Safe alternative';
  return [f.message, f.why, f.fix ? `${fixLabel}:\n${f.fix}` : ''].filter(Boolean).join('\n\n');
}
