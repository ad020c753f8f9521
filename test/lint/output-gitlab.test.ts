import { renderGitlab } from '../../src/output/lint/gitlab';
import type { Finding } from '../../src/lint/types';
import { fixtureRun } from './fixtures/report';
import { expectGolden } from './golden';

interface Issue {
  description: string;
  check_name: string;
  fingerprint: string;
  severity: string;
  location: { path: string; lines: { begin: number; end: number } };
}

describe('gitlab code quality output', () => {
  it('matches the golden report', () => {
    expectGolden('gitlab.json', renderGitlab(fixtureRun()));
  });

  it('has the fields GitLab requires, with severities by level', () => {
    const issues: Issue[] = JSON.parse(renderGitlab(fixtureRun()));
    for (const issue of issues) {
      expect(typeof issue.description).toBe('string');
      expect(issue.fingerprint).toMatch(/^[0-9a-f]{32}$/);
      expect(issue.location.lines.begin).toBeGreaterThan(0);
    }
    expect(issues.map((i) => i.severity)).toEqual(['major', 'major', 'minor', 'blocker', 'blocker']);
    expect(new Set(issues.map((i) => i.fingerprint)).size).toBe(issues.length);
  });

  it('keeps fingerprints when lines above a finding move', () => {
    const run = fixtureRun();
    const shift = (f: Finding): Finding => ({
      ...f,
      start: { ...f.start, line: f.start.line + 3, offset: f.start.offset + 30 },
      end: { ...f.end, line: f.end.line + 3, offset: f.end.offset + 30 },
    });
    const moved = { ...run, report: { ...run.report, findings: run.report.findings.map(shift) } };
    const before: Issue[] = JSON.parse(renderGitlab(run));
    const after: Issue[] = JSON.parse(renderGitlab(moved));
    expect(after.map((i) => i.fingerprint).slice(0, 3)).toEqual(before.map((i) => i.fingerprint).slice(0, 3));
    expect(after[0].location.lines.begin).toBe(before[0].location.lines.begin + 3);
  });
});
