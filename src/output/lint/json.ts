import type { Finding } from '../../lint/types';
import { runFiles, startOf, summarize, writeRun, type LintRun, type LintWriter, type LintWriterStart } from './model';
import { jsonEnvelope } from '../json';
import { joinChunks, Spool } from '../spool';

/**
 * The JSON report (schemaVersion 1, documented in docs/commands/lint.md; the envelope every
 * command's JSON shares comes from src/output/json.ts). Every key is always
 * present (null when it has no value) so consumers need no existence checks; new keys may be
 * added, existing ones keep their meaning until schemaVersion changes.
 */
export function renderJson(run: LintRun): string {
  return joinChunks(writeRun(jsonWriter(startOf(run)), run));
}

/**
 * The same text as one JSON.stringify(document, null, 2), written finding by finding. The summary
 * comes before the findings, so they wait in a spool (memory, then a temporary file) until the
 * run is over.
 */
export function jsonWriter(start: LintWriterStart): LintWriter {
  const docsById = new Map(start.rules.map((r) => [r.id, r.docs]));
  const spool = new Spool();
  let written = 0;
  return {
    finding(f: Finding) {
      const finding = {
        ruleId: f.ruleId,
        severity: f.severity,
        category: f.category,
        file: f.file,
        line: f.start.line,
        column: f.start.column,
        endLine: f.end.line,
        endColumn: f.end.column,
        message: f.message,
        why: f.why,
        fix: f.fix ?? null,
        docs: docsById.get(f.ruleId) ?? null,
        verification: f.verification ?? null,
      };
      // Indented as stringify would have; split at \n only: a regular expression's ^ would also match after a raw U+2028 inside a string.
      spool.add(`${written > 0 ? ',\n' : ''}    ${JSON.stringify(finding, null, 2).split('\n').join('\n    ')}`);
      written++;
      return [];
    },
    *end(run, tally) {
      const document = jsonEnvelope({
        pgVersion: run.pgVersion,
        summary: summarize(run, tally),
        files: runFiles(run, tally).map((f) => ({ ...f, ...tally.countsOf(f.path) })),
        findings: written === 0 ? [] : FINDINGS_HERE,
        verification: run.report.verification ?? null,
      }, run.tool);
      const whole = JSON.stringify(document, null, 2) + '\n';
      if (written === 0) {
        yield whole;
        return;
      }
      // Everything around the findings is stringified once, with a marker where they go.
      const [before, after] = whole.split(JSON.stringify(FINDINGS_HERE));
      yield `${before}[\n`;
      yield* spool.read();
      yield `\n  ]${after}`;
    },
  };
}

/** Stands for the findings array in the stringified document (a string no finding can produce: it holds NUL). */
const FINDINGS_HERE = '\u0000dbops findings\u0000';
