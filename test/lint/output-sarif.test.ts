import { renderSarif } from '../../src/output/lint/sarif';
import { fixtureRun } from './fixtures/report';
import { expectGolden } from './golden';

/* eslint-disable @typescript-eslint/no-explicit-any */
describe('sarif output', () => {
  it('matches the golden report', () => {
    expectGolden('report.sarif', renderSarif(fixtureRun()));
  });

  it('has the structure SARIF 2.1.0 and GitHub code scanning require', () => {
    const log: any = JSON.parse(renderSarif(fixtureRun()));
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toMatch(/sarif-2\.1\.0/);
    expect(Array.isArray(log.runs)).toBe(true);
    expect(log.runs).toHaveLength(1);
    const [run] = log.runs;
    const driver = run.tool.driver;
    expect(driver.name).toBe('dbops');
    expect(driver.version).toBe('0.0.0-test');
    expect(driver.informationUri).toBe('https://example.invalid/dbops');

    const ids = driver.rules.map((r: any) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['column-type-rewrite', 'create-index-blocking', 'set-not-null-scan', 'ban-new-tables', 'syntax-error', 'input-error']));
    for (const rule of driver.rules) {
      expect(typeof rule.shortDescription.text).toBe('string');
      expect(typeof rule.fullDescription.text).toBe('string');
      expect(rule.helpUri).toMatch(/^https:\/\/example\.invalid\/dbops\/blob\/main\/docs\//);
      expect(['rewrite', 'scan', 'index-build', 'lock', 'compatibility', 'policy', 'syntax', 'input']).toContain(rule.properties.category);
      expect(['error', 'warning', 'none']).toContain(rule.defaultConfiguration.level);
    }
    const typeRule = driver.rules.find((r: any) => r.id === 'column-type-rewrite');
    expect(typeRule.properties.category).toBe('rewrite');
    expect(typeRule.fullDescription.text).toBe('A fixture docs page for column-type-rewrite: the problem in one paragraph, wrapped over two lines.');
    expect(typeRule.help.markdown).toMatch(/^# column-type-rewrite/);
    expect(driver.rules.find((r: any) => r.id === 'ban-new-tables').defaultConfiguration).toEqual({ level: 'none', enabled: false });

    expect(run.results).toHaveLength(5);
    for (const result of run.results) {
      expect(ids).toContain(result.ruleId);
      expect(driver.rules[result.ruleIndex].id).toBe(result.ruleId);
      expect(['error', 'warning']).toContain(result.level);
      expect(typeof result.message.text).toBe('string');
      expect(result.locations).toHaveLength(1);
      const { artifactLocation, region } = result.locations[0].physicalLocation;
      expect(artifactLocation.uri).toMatch(/^migrations\//);
      for (const k of ['startLine', 'startColumn', 'endLine', 'endColumn']) {
        expect(Number.isInteger(region[k])).toBe(true);
        expect(region[k]).toBeGreaterThanOrEqual(1);
      }
      expect(region.endLine).toBeGreaterThanOrEqual(region.startLine);
      expect(Object.values(result.partialFingerprints)[0]).toMatch(/^[0-9a-f]{32}$/);
    }
    const typeChange = run.results[0];
    expect(typeChange.level).toBe('error');
    expect(typeChange.locations[0].physicalLocation.region).toEqual({ startLine: 3, startColumn: 3, endLine: 3, endColumn: 30 });
    expect(run.results[2].level).toBe('warning');
  });

  it('leaves out informationUri and helpUri when the package has no homepage', () => {
    const log: any = JSON.parse(renderSarif(fixtureRun({ tool: { name: 'dbops', version: '1.0.0' } })));
    expect(log.runs[0].tool.driver.informationUri).toBeUndefined();
    expect(log.runs[0].tool.driver.rules[0].helpUri).toBeUndefined();
  });
});
