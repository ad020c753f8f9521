import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../harness/cli';

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
