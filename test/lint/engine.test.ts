import { RULES } from '../../rules';
import { analyzeSources } from '../../src/effects/analyze-files';
import { lintSources, unknownRuleIds } from '../../src/lint/engine';
import type { LintOptions } from '../../src/lint/types';

const options: LintOptions = { pgVersion: 15, maxLockTimeoutMs: 5000 };
const lint = (files: string[], extra: Partial<LintOptions> = {}) =>
  lintSources(files.map((text, i) => ({ path: `m${i + 1}.sql`, text })), { ...options, ...extra });

describe('lintSources', () => {
  it('reports syntax errors at the parser position and still lints the other statements', async () => {
    const report = await lint(["SET lock_timeout = '1s';\nALTER TABLE t ADD COLUMN;\nCREATE INDEX i ON t (a);", 'ALTER TABLE u RENAME TO v;']);
    const syntax = report.findings.find((f) => f.ruleId === 'syntax-error')!;
    expect(syntax).toMatchObject({ severity: 'error', category: 'syntax', file: 'm1.sql', start: { line: 2, column: 25 } });
    expect(syntax.message).toContain('syntax error');
    expect(report.findings.map((f) => f.ruleId)).toEqual(expect.arrayContaining(['creating-index-non-concurrently', 'renaming-table']));
    expect(report.files).toEqual([
      { path: 'm1.sql', statements: 2 },
      { path: 'm2.sql', statements: 1 },
    ]);
    expect(report.statements).toBe(3);
  });

  it('gives character positions (not UTF-8 bytes) after non-ASCII text', async () => {
    const text = "-- créer l'index ☕\nCOMMENT ON TABLE t IS 'naïve 🎉';\n  CREATE INDEX i ON t (a);";
    const [f] = (await lint([text])).findings.filter((x) => x.ruleId === 'creating-index-non-concurrently');
    expect(f.start).toEqual({ offset: text.indexOf('CREATE'), line: 3, column: 3 });
    expect(f.statement).toBe('CREATE INDEX i ON t (a)');
  });

  it('reads files with a byte-order mark and empty files', async () => {
    const report = await lint(['\uFEFFCREATE INDEX i ON t (a);', '', '  \n', '-- nothing yet\n']);
    expect(report.findings.map((f) => [f.ruleId, f.file, f.start.column])).toEqual([
      ['creating-index-non-concurrently', 'm1.sql', 2],
      ['lock-timeout', 'm1.sql', 2],
    ]);
    expect(report.files.map((f) => f.statements)).toEqual([1, 0, 0, 0]);
  });

  it('carries new tables across files of the run, but not settings', async () => {
    const report = await lint(['CREATE TABLE t (a int);', 'CREATE INDEX i ON t (a);\nALTER TABLE t ALTER COLUMN a TYPE bigint;']);
    expect(report.findings).toEqual([]);
  });

  it('can limit "new table" to the file that created it', async () => {
    const files = ['CREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);', 'CREATE INDEX t_a2 ON t (a);'];
    expect((await lint(files, { severities: { 'lock-timeout': 'off' } })).findings).toEqual([]);
    const perFile = await lint(files, { newTables: 'file', severities: { 'lock-timeout': 'off' } });
    expect(perFile.findings.map((f) => [f.file, f.ruleId])).toEqual([['m2.sql', 'creating-index-non-concurrently']]);
  });

  it('learns from applied files without linting them, and treats their tables as existing', async () => {
    const report = await lintSources(
      [
        { path: '0001.sql', text: 'CREATE TABLE users (id int, name varchar(50));\nCREATE INDEX users_name ON users (name);', applied: true },
        { path: '0002.sql', text: "SET lock_timeout = '1s';\nALTER TABLE users ALTER COLUMN name TYPE varchar(80);\nCREATE INDEX users_id ON users (id);" },
      ],
      options,
    );
    // varchar(50) → varchar(80) is proven safe from the applied file; users is not new, so the index build is reported.
    expect(report.findings.map((f) => [f.file, f.ruleId])).toEqual([['0002.sql', 'creating-index-non-concurrently']]);
    expect(report.files).toEqual([{ path: '0002.sql', statements: 3 }]);
  });

  it('analyses DO blocks: plain statements and EXECUTE of constant strings, not dynamic ones', async () => {
    const text = [
      "SET lock_timeout = '1s';",
      'DO $$',
      'BEGIN',
      "  EXECUTE 'CREATE INDEX i ON t (a)';",
      "  IF true THEN EXECUTE format('DROP INDEX %I', 'x'); END IF;",
      '  ALTER TABLE t ALTER COLUMN b SET NOT NULL;',
      'END $$;',
    ].join('\n');
    const ids = (await lint([text])).findings.map((f) => `${f.ruleId}@${f.start.line}`);
    // Each at its own line inside the body; the EXECUTE format(…) cannot be known offline.
    expect(ids.sort()).toEqual(['creating-index-non-concurrently@4', 'setting-not-null@6']);
    const [inner] = (await lint([text])).findings.filter((f) => f.ruleId === 'creating-index-non-concurrently');
    expect(inner.start).toMatchObject({ line: 4, column: 12 });
    expect(inner.statement).toContain('DO $$');
  });

  it('applies severity overrides and lists every rule with its metadata', async () => {
    const report = await lint(['CREATE INDEX i ON t (a);'], { severities: { 'creating-index-non-concurrently': 'warning', 'lock-timeout': 'off' } });
    expect(report.findings.map((f) => [f.ruleId, f.severity])).toEqual([['creating-index-non-concurrently', 'warning']]);
    const ids = report.rules.map((r) => r.id);
    expect(ids).toEqual(expect.arrayContaining([...RULES.map((r) => r.meta.id), 'unused-suppression', 'invalid-suppression']));
    for (const r of report.rules) expect(r.docs).toBe(`docs/rules/${r.id}.md`);
  });

  it('names unknown rule ids in options', () => {
    expect(unknownRuleIds({ severities: { 'lock-timeout': 'off', 'no-such-rule': 'error' }, ruleOptions: { typo: {} } })).toEqual(['no-such-rule', 'typo']);
  });
});

describe('suppressions', () => {
  const stmt = 'CREATE INDEX i ON t (a);';
  const run = async (comment: string) => (await lint([`${comment}\n${stmt}`], { severities: { 'lock-timeout': 'off' } })).findings;

  it('silences the named rules for the next statement only', async () => {
    const findings = (await lint([`-- dbops-ignore: creating-index-non-concurrently built during the maintenance window\n${stmt}\n${stmt}`], { severities: { 'lock-timeout': 'off' } })).findings;
    expect(findings.map((f) => [f.ruleId, f.start.line])).toEqual([['creating-index-non-concurrently', 3]]);
  });

  it('accepts several ids and block comments', async () => {
    const findings = (await lint([`/* dbops-ignore: creating-index-non-concurrently, lock-timeout tiny table */\n${stmt}`])).findings;
    expect(findings).toEqual([]);
  });

  it('requires a reason: without one it is reported and not applied', async () => {
    const findings = await run('-- dbops-ignore: creating-index-non-concurrently');
    expect(findings.map((f) => f.ruleId).sort()).toEqual(['creating-index-non-concurrently', 'invalid-suppression']);
    const invalid = findings.find((f) => f.ruleId === 'invalid-suppression')!;
    expect(invalid).toMatchObject({ severity: 'error', start: { line: 1, column: 1 } });
    expect(invalid.message).toContain('gives no reason');
  });

  it('reports unknown rule ids and suppressions that suppress nothing', async () => {
    const unknown = await run('-- dbops-ignore: creating-index-nonconcurrently typo in the id');
    expect(unknown.map((f) => f.ruleId).sort()).toEqual(['creating-index-non-concurrently', 'invalid-suppression']);
    const unused = await run('-- dbops-ignore: truncating-table nothing to truncate here');
    expect(unused.map((f) => [f.ruleId, f.severity]).sort()).toEqual([
      ['creating-index-non-concurrently', 'error'],
      ['unused-suppression', 'warning'],
    ]);
  });

  it('does not report a suppression of a rule that is turned off as unused', async () => {
    const findings = await run('-- dbops-ignore: lock-timeout migrate sets it');
    expect(findings.map((f) => f.ruleId)).toEqual(['creating-index-non-concurrently']);
  });

  it('ignores the marker outside comments', async () => {
    const findings = (await lint(["SELECT 'dbops-ignore: creating-index-non-concurrently x';\n" + stmt], { severities: { 'lock-timeout': 'off' } })).findings;
    expect(findings.map((f) => f.ruleId)).toEqual(['creating-index-non-concurrently']);
  });
});

describe('analyzeSources', () => {
  it('gives predicted effects per statement for migrate plan', async () => {
    const [file] = await analyzeSources([{ path: 'a.sql', text: 'ALTER TABLE t ALTER COLUMN a TYPE bigint;\nCREATE INDEX CONCURRENTLY i ON t (a);' }], { pgVersion: 15 });
    const [alter, index] = file.statements;
    expect(alter.analyzed.effects.relations).toEqual([
      expect.objectContaining({ relation: expect.objectContaining({ key: 't' }), lock: 'AccessExclusiveLock', rewrite: 'unknown', scan: true }),
    ]);
    expect(index.analyzed.effects).toMatchObject({ transactional: false, relations: [expect.objectContaining({ lock: 'ShareUpdateExclusiveLock', indexBuild: { concurrent: true } })] });
    expect(alter.statement.start.line).toBe(1);
  });
});
