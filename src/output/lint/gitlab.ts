import type { Finding } from '../../lint/types';
import { fingerprints, type LintRun } from './model';

/**
 * GitLab Code Quality report (artifacts:reports:codequality): a JSON array of issues. The
 * fingerprint does not include the line number, so an issue keeps its identity when lines
 * above it move, and GitLab can tell new issues in a merge request from old ones.
 */
export function renderGitlab(run: LintRun): string {
  const prints = fingerprints(run.report.findings);
  const issues = run.report.findings.map((f, i) => ({
    description: `${f.message} (${f.ruleId})`,
    check_name: f.ruleId,
    fingerprint: prints[i],
    severity: severity(f),
    location: { path: f.file, lines: { begin: f.start.line, end: f.end.line } },
  }));
  return JSON.stringify(issues, null, 2) + '\n';
}

/** Input and syntax problems block the run, error-level rules are major, warnings minor. */
function severity(f: Finding): 'blocker' | 'major' | 'minor' {
  if (f.category === 'syntax' || f.category === 'input') return 'blocker';
  return f.severity === 'error' ? 'major' : 'minor';
}
