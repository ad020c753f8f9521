import { renderJson } from '../../src/output/lint/json';
import { cleanRun, fixtureRun } from './fixtures/report';
import { expectGolden } from './golden';

describe('json output', () => {
  it('matches the documented schema (schemaVersion 1)', () => {
    expectGolden('report.json', renderJson(fixtureRun()));
  });

  it('summarises counts and the exit code, and lists unreadable inputs as files not linted', () => {
    const doc = JSON.parse(renderJson(fixtureRun()));
    // #17 item 6: files counts every entry of files[] (linted or not), so filesWithFindings is never more than files.
    expect(doc.summary).toEqual({ files: 3, filesLinted: 2, filesWithFindings: 3, statements: 4, errors: 4, warnings: 1, exitCode: 2 });
    expect(doc.summary.files).toBe(doc.files.length);
    expect(doc.summary.filesLinted).toBe(doc.files.filter((f: { linted: boolean }) => f.linted).length);
    expect(doc.files.map((f: { path: string; linted: boolean }) => [f.path, f.linted])).toEqual([
      ['migrations/0002_orders.sql', true],
      ['migrations/0003_broken.sql', true],
      ['migrations/blob.sql', false],
    ]);
    for (const f of doc.findings) expect(Object.keys(f).sort()).toEqual(['category', 'column', 'docs', 'endColumn', 'endLine', 'file', 'fix', 'line', 'message', 'ruleId', 'severity', 'verification', 'why']);
    expect(JSON.parse(renderJson(cleanRun())).summary.exitCode).toBe(0);
  });
});
