import type { Finding } from '../../lint/types';
import { Fingerprints, renderRun, type LintRun, type LintWriter } from './model';
import { SpooledJsonArray } from '../spool';

/**
 * GitLab Code Quality report (artifacts:reports:codequality): a JSON array of issues. The
 * fingerprint does not include the line number, so an issue keeps its identity when lines
 * above it move, and GitLab can tell new issues in a merge request from old ones.
 */
export function renderGitlab(run: LintRun): string {
  return renderRun(gitlabWriter(), run);
}

/** renderGitlab finding by finding: each issue goes to a spool as it comes. */
export function gitlabWriter(): LintWriter {
  const prints = new Fingerprints();
  const issues = new SpooledJsonArray(1);
  return {
    finding(f) {
      issues.add({
        description: `${f.message} (${f.ruleId})`,
        check_name: f.ruleId,
        fingerprint: prints.next(f),
        severity: severity(f),
        location: { path: f.file, lines: { begin: f.start.line, end: f.end.line } },
      });
      return [];
    },
    end: () => issues.document((array) => JSON.stringify(array, null, 2) + '\n'),
  };
}

/** Input and syntax problems block the run, error-level rules are major, warnings minor. */
function severity(f: Finding): 'blocker' | 'major' | 'minor' {
  if (f.category === 'syntax' || f.category === 'input') return 'blocker';
  return f.severity === 'error' ? 'major' : 'minor';
}
