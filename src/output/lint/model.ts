import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT } from '../../core/exit-codes';
import type { Finding, LintReport, RuleMeta } from '../../lint/types';

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
 * 0 nothing at error level; 1 error-level findings; 2 when something could not be linted at all
 * (SQL that does not parse, a missing, binary or unreadable file), even if other files had findings.
 */
export function lintExitCode(findings: readonly Finding[]): number {
  if (findings.some((f) => f.category === 'syntax' || f.category === 'input')) return EXIT.usage;
  return findings.some((f) => f.severity === 'error') ? EXIT.findings : EXIT.ok;
}

/**
 * Every file of the run in reading order: the linted ones with their statement counts, then the
 * inputs that could not be linted (they have an input finding and no statements).
 */
export function runFiles(run: LintRun): Array<{ path: string; statements: number; linted: boolean }> {
  const listed = new Set(run.report.files.map((f) => f.path));
  const notLinted = new Set(run.report.findings.filter((f) => f.category === 'input' && !listed.has(f.file)).map((f) => f.file));
  return [...run.report.files.map((f) => ({ path: f.path, statements: f.statements, linted: true })), ...[...notLinted].map((path) => ({ path, statements: 0, linted: false }))];
}

export function summarize(run: LintRun): LintSummary {
  const { findings } = run.report;
  return {
    files: runFiles(run).length,
    filesLinted: run.report.files.length,
    filesWithFindings: new Set(findings.map((f) => f.file)).size,
    statements: run.report.statements,
    errors: findings.filter((f) => f.severity === 'error').length,
    warnings: findings.filter((f) => f.severity === 'warning').length,
    exitCode: lintExitCode(findings),
  };
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
export function allRules(report: LintReport): RuleDescriptor[] {
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
 */
export function fingerprints(findings: readonly Finding[]): string[] {
  // Only the sarif and gitlab formats need hashes: keep node:crypto off the start-up path.
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  const seen = new Map<string, number>();
  return findings.map((f) => {
    const subject = f.statement ? f.statement.replace(/\s+/g, ' ').trim() : `${f.start.line}:${f.start.column}`;
    const key = `${f.ruleId}\0${f.file}\0${subject}\0${f.message}`;
    const ordinal = seen.get(key) ?? 0;
    seen.set(key, ordinal + 1);
    return createHash('sha256').update(`${key}\0${ordinal}`).digest('hex').slice(0, 32);
  });
}

/** A finding as one plain-text message: what, why, and the safe alternative (for CI annotations and SARIF). */
export function findingText(f: Finding): string {
  const fixLabel = f.category === 'syntax' || f.category === 'input' ? 'Fix' : 'Safe alternative';
  return [f.message, f.why, f.fix ? `${fixLabel}:\n${f.fix}` : ''].filter(Boolean).join('\n\n');
}
