import { lintSources } from '../../src/lint/engine';
import type { LintOptions } from '../../src/lint/types';
import { loadParser, parseSqlFile } from '../../src/sql/parser';
import { useTempTrees } from '../harness/temp-tree';
import { runCli } from '../harness/cli';

/** Issue #17 item 2: long expression chains crashed every recursive walk over the syntax tree. */
const options: LintOptions = { pgVersion: 15, maxLockTimeoutMs: 5000 };
const lint = (files: string[]) => lintSources(files.map((text, i) => ({ path: `m${i + 1}.sql`, text })), options);

const plusChain = (terms: number) => `SELECT ${'1+'.repeat(terms - 1)}1;`;
const concatChain = (terms: number) => `SELECT ${"'a'||".repeat(terms - 1)}'a';`;
const LOCKING = 'CREATE INDEX i ON t (a);';

describe('deep syntax trees', () => {
  it('analyses SELECT 1+1+… with 4,000 terms and a || chain of 3,000 terms, and the statements around them', async () => {
    const report = await lint([`${plusChain(4000)}\n${concatChain(3000)}\n${LOCKING}`, LOCKING]);
    expect(report.findings.filter((f) => f.category === 'syntax')).toEqual([]);
    expect(report.statements).toBe(4);
    expect(report.findings.filter((f) => f.ruleId === 'creating-index-non-concurrently').map((f) => [f.file, f.start.line])).toEqual([
      ['m1.sql', 3],
      ['m2.sql', 1],
    ]);
  });

  it('walks deep defaults, views and version checks without recursion', async () => {
    const deep = `(${'1+'.repeat(3000)}1)`;
    const report = await lint([
      `CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int DEFAULT ${deep};\nCREATE VIEW v AS SELECT ${deep} AS x FROM t;\nMERGE INTO t USING t s ON ${deep} = 1 WHEN MATCHED THEN DO NOTHING;`,
    ]);
    expect(report.findings.filter((f) => f.category === 'syntax')).toEqual([]);
    expect(report.statements).toBe(4);
  });

  it('turns a statement nested past the limit into one analysis-error at the statement, and lints the rest', async () => {
    const text = `${LOCKING}\n${plusChain(60_000)}\n${LOCKING}`;
    const report = await lint([text, LOCKING]);
    const problems = report.findings.filter((f) => f.category === 'syntax');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ ruleId: 'analysis-error', severity: 'error', file: 'm1.sql', start: { line: 2, column: 1 } });
    expect(problems[0].message).toMatch(/nested too deeply/);
    expect(report.findings.filter((f) => f.ruleId === 'creating-index-non-concurrently')).toHaveLength(3);
  });

  it('bounds nested block comments before parsing, with a finding at the comment', async () => {
    const started = Date.now();
    const report = await lint([`${LOCKING}\n/*${'/*'.repeat(100_000)}${'*/'.repeat(100_000)}*/ SELECT 1;\n${LOCKING}`]);
    expect(Date.now() - started).toBeLessThan(10_000);
    const problems = report.findings.filter((f) => f.category === 'syntax');
    expect(problems.map((f) => [f.ruleId, f.start.line, f.start.column])).toEqual([['analysis-error', 2, 1]]);
    expect(problems[0].message).toMatch(/block comments nested more than 1000 deep/);
    expect(report.findings.filter((f) => f.ruleId === 'creating-index-non-concurrently')).toHaveLength(2);
  });

  it('keeps the parser usable after statements past every limit', async () => {
    await loadParser();
    for (let i = 0; i < 30; i++) parseSqlFile(plusChain(60_000));
    const parsed = parseSqlFile(`${plusChain(4000)}\nALTER TABLE t ADD COLUMN c int;`);
    expect(parsed.errors).toEqual([]);
    expect(parsed.statements.map((s) => Object.keys(s.node)[0])).toEqual(['SelectStmt', 'AlterTableStmt']);
  });

  it('recovers from unbalanced parentheses statement by statement', async () => {
    const report = await lint([`${LOCKING}\nALTER TABLE t ADD COLUMN c int DEFAULT (;\n${LOCKING}\nCREATE INDEX j ON t (b);`]);
    expect(report.findings.filter((f) => f.ruleId === 'syntax-error').map((f) => f.start.line)).toEqual([2]);
    expect(report.findings.filter((f) => f.ruleId === 'creating-index-non-concurrently').map((f) => f.start.line)).toEqual([1, 3, 4]);
  });

  describe('the CLI', () => {
    const tree = useTempTrees('dbops-deep-');
    it('lints every file and exits 2 (not 4) when one statement is past the limits', async () => {
      const root = tree({ 'm/0001_chain.sql': plusChain(4000), 'm/0002_concat.sql': concatChain(3000), 'm/0003_deeper.sql': plusChain(60_000), 'm/0004_index.sql': LOCKING });
      const run = await runCli(['lint', '--format', 'json', 'm'], { cwd: root });
      expect(run.stderr).not.toMatch(/internal error|call stack/);
      expect(run.code).toBe(2);
      const report = JSON.parse(run.stdout);
      const found = report.findings.map((f: { ruleId: string; file: string }) => `${f.file} ${f.ruleId}`);
      expect(found.filter((f: string) => !f.endsWith('lock-timeout'))).toEqual(['m/0003_deeper.sql analysis-error', 'm/0004_index.sql creating-index-non-concurrently']);
      expect(report.summary).toMatchObject({ files: 4, statements: 3 });
    });
  });
});
