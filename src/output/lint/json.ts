import type { Finding } from '../../lint/types';
import { runFiles, startOf, summarize, renderRun, type LintRun, type LintWriter, type LintWriterStart } from './model';
import { jsonEnvelope } from '../json';
import { SpooledJsonArray } from '../spool';

/**
 * The JSON report (schemaVersion 1, documented in docs/commands/lint.md; the envelope every
 * command's JSON shares comes from src/output/json.ts). Every key is always
 * present (null when it has no value) so consumers need no existence checks; new keys may be
 * added, existing ones keep their meaning until schemaVersion changes.
 */
export function renderJson(run: LintRun): string {
  return renderRun(jsonWriter(startOf(run)), run);
}

/**
 * The same text as one JSON.stringify(document, null, 2), written finding by finding. The summary
 * comes before the findings, so they wait in a spool (memory, then a temporary file) until the
 * run is over.
 */
export function jsonWriter(start: LintWriterStart): LintWriter {
  const docsById = new Map(start.rules.map((r) => [r.id, r.docs]));
  // document.findings[i]: two levels deep.
  const findings = new SpooledJsonArray(2);
  return {
    finding(f: Finding) {
      findings.add({
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
      });
      return [];
    },
    end(run, tally) {
      return findings.document((array) =>
        JSON.stringify(
          jsonEnvelope(
            {
              pgVersion: run.pgVersion,
              summary: summarize(run, tally),
              files: runFiles(run, tally).map((f) => ({ ...f, ...tally.countsOf(f.path) })),
              findings: array,
              verification: run.report.verification ?? null,
            },
            run.tool,
          ),
          null,
          2,
        ) + '\n',
      );
    },
  };
}
