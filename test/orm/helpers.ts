import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, runCli } from '../harness/cli';
import { evaluateOrmMigration } from '../../src/orm/evaluate';
import type { OrmTool, RecordedStatement } from '../../src/orm/types';

export const ORM_FIXTURES = path.resolve(__dirname, '..', 'fixtures', 'orm');

export interface JsonFinding {
  ruleId: string;
  severity: string;
  file: string;
  line: number;
  message: string;
}

/** `dbops lint <dir> --format json` run in a fixture project, as a user would. */
export async function lintJson(cwd: string, dir: string): Promise<{ code: number; files: string[]; findings: JsonFinding[]; stderr: string }> {
  const res = await runCli(['lint', dir, '--format', 'json'], { cwd });
  const report = JSON.parse(res.stdout) as { files: Array<{ path: string }>; findings: JsonFinding[] };
  return { code: res.code, files: report.files.map((f) => f.path), findings: report.findings, stderr: res.stderr };
}

const stem = (file: string) => path.basename(file).replace(/\.[^.]+$/, '');

/** What a finding says, without where: comparable between a migration file and its SQL. */
export const said = (f: JsonFinding) => `${stem(f.file)} ${f.ruleId} ${f.severity} ${f.message}`;

/** The statements of an expected-sql file (the SQL the tool sends, one statement per paragraph). */
export function expectedStatements(file: string): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .split(/;\n\n/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The migration files of a fixture, by name. */
export function migrationFiles(project: string): string[] {
  return fs.readdirSync(path.join(project, 'migrations')).sort();
}

/** The four changes every fixture makes, and the rule each must trip. */
export const FIXTURE_RULES = ['creating-index-non-concurrently', 'changing-column-type', 'adding-required-column', 'constraint-without-not-valid'];

/**
 * The checks every ORM fixture gets: the SQL recorded from each migration is what the tool sends
 * (its expected-sql file, checked against a real server by real-tools.test.ts); linting the
 * migrations finds exactly what linting that SQL finds, in the tool's order; findings point at
 * the lines that produced the statements (`lines`: rule id → [file, line] of its first finding).
 */
export function checkOrmFixture(tool: OrmTool, project: string, expectations: { order: string[]; lines: Record<string, [string, number]> }): void {
  it(`records the SQL ${tool} sends for each migration`, async () => {
    for (const file of migrationFiles(project)) {
      const recorded = await evaluateOrmMigration(path.join(project, 'migrations', file));
      expect(recorded.tool).toBe(tool);
      const statements = recorded.statements.map((s) => s.sql.trim().replace(/;\s*$/, ''));
      const sent = recorded.transaction ? ['BEGIN', ...statements, 'COMMIT'] : statements;
      expect(sent).toEqual(expectedStatements(path.join(project, 'expected-sql', file.replace(/\.[cm]?[jt]s$/, '.sql'))));
    }
  });

  it(`finds exactly what linting the SQL ${tool} generates finds, in ${tool}'s order, at the lines that produced it`, async () => {
    const orm = await lintJson(project, 'migrations');
    const sql = await lintJson(project, 'expected-sql');
    // The SQL files are named like the migrations; put them in the tool's order to compare.
    const rank = (f: JsonFinding) => expectations.order.findIndex((file) => stem(file) === stem(f.file));
    const sqlInToolOrder = [...sql.findings].sort((a, b) => rank(a) - rank(b));
    expect(orm.findings.map(said)).toEqual(sqlInToolOrder.map(said));
    expect(orm.code).toBe(sql.code);
    expect(orm.files).toEqual(expectations.order.map((f) => `migrations/${f}`));
    for (const id of FIXTURE_RULES) expect(orm.findings.map((f) => f.ruleId)).toContain(id);
    for (const [id, [file, line]] of Object.entries(expectations.lines)) {
      const first = orm.findings.find((f) => f.ruleId === id)!;
      expect([first.file, first.line]).toEqual([`migrations/${file}`, line]);
    }
  });
}

/**
 * A migration the suite writes under the repository's .tmp (so the ORM dev dependencies resolve
 * as a project's own would) before its tests and removes after them; returns the file's path.
 */
export function useRepoMigration(dir: string, file: string, lines: string[]): string {
  const root = path.join(REPO_ROOT, '.tmp', dir);
  const full = path.join(root, 'migrations', file);
  beforeAll(() => {
    fs.rmSync(root, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, lines.join('\n'));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  return full;
}

/** What a migration changes: its recorded statements without the catalog reads (SELECT, WITH) that hasTable/describeTable-style helpers send. */
export async function changesRecordedBy(file: string): Promise<RecordedStatement[]> {
  const recorded = await evaluateOrmMigration(file);
  return recorded.statements.filter((s) => !/^(SELECT|WITH)\b/i.test(s.sql));
}
