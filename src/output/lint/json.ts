import { allRules, runFiles, summarize, type LintRun } from './model';
import { jsonEnvelope } from '../json';

/**
 * The JSON report (schemaVersion 1, documented in docs/commands/lint.md; the envelope every
 * command's JSON shares comes from src/output/json.ts). Every key is always
 * present (null when it has no value) so consumers need no existence checks; new keys may be
 * added, existing ones keep their meaning until schemaVersion changes.
 */
export function renderJson(run: LintRun): string {
  return [...renderJsonChunks(run)].join('');
}

/** renderJson finding by finding: the same text as one JSON.stringify(document, null, 2). */
export function* renderJsonChunks(run: LintRun): Generator<string> {
  const { findings } = run.report;
  const docsById = new Map(allRules(run.report).map((r) => [r.id, r.docs]));
  const counts = new Map<string, { errors: number; warnings: number }>();
  for (const f of findings) {
    const c = counts.get(f.file) ?? { errors: 0, warnings: 0 };
    if (f.severity === 'error') c.errors++;
    else c.warnings++;
    counts.set(f.file, c);
  }
  const document = jsonEnvelope({
    pgVersion: run.pgVersion,
    summary: summarize(run),
    files: runFiles(run).map((f) => ({ ...f, ...(counts.get(f.path) ?? { errors: 0, warnings: 0 }) })),
    findings: findings.length === 0 ? [] : FINDINGS_HERE,
    verification: run.report.verification ?? null,
  }, run.tool);
  const whole = JSON.stringify(document, null, 2) + '\n';
  if (findings.length === 0) {
    yield whole;
    return;
  }
  // Everything around the findings is stringified once, with a marker where they go; the
  // findings are then written one by one, indented as stringify would have.
  const [before, after] = whole.split(JSON.stringify(FINDINGS_HERE));
  yield `${before}[\n`;
  for (const [i, f] of findings.entries()) {
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
    // Split at \n only: a regular expression's ^ would also match after a raw U+2028 inside a string.
    yield `    ${JSON.stringify(finding, null, 2).split('\n').join('\n    ')}${i < findings.length - 1 ? ',' : ''}\n`;
  }
  yield `  ]${after}`;
}

/** Stands for the findings array in the stringified document (a string no finding can produce: it holds NUL). */
const FINDINGS_HERE = '\u0000dbops findings\u0000';
