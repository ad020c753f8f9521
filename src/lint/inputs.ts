import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../core/errors';
import { decodeSql, describeMigration, discoverMigrations, readSqlFile, sortMigrations, upMigrationText, type Migration } from '../migrations/discover';
import type { Position } from '../sql/source-text';
import type { Finding, SqlSource } from './types';
import type { OrmTool } from '../orm/types';
import { dbopsCommand } from '../core/dbops-command';

/**
 * What `dbops lint` reads: files, directories and globs (through discoverMigrations), `-` for
 * standard input, optionally narrowed to migrations changed since a git ref. A file that cannot
 * be linted (missing, binary, unreadable) becomes an input finding for that file, and every other
 * file is still linted.
 */
export const STDIN_PATH = '<stdin>';
export const INPUT_RULE_ID = 'input-error';

export interface LintInputs {
  sources: SqlSource[];
  /** Inputs that could not be linted, as error findings (category "input", exit 2). */
  problems: Finding[];
  /** Worth saying on stderr, but not failures (a directory with no migrations). */
  warnings: string[];
  /**
   * JavaScript/TypeScript migrations by displayed path: the file as written and where each of
   * the recorded statements (the source's text) came from, so findings can point at the file.
   */
  generated: Map<string, GeneratedSql>;
}

export interface GeneratedSql {
  /** The migration file as written. */
  fileText: string;
  /** Where each statement starts in the recorded SQL and the file's line that produced it (when known). */
  starts: Array<{ offset: number; line?: number }>;
}

export interface InputOptions {
  paths: readonly string[];
  cwd: string;
  /** Only migrations added, modified or renamed since this git ref, plus untracked ones. */
  since?: string;
  readStdin?: () => Promise<Buffer>;
  /** lint.migrationTool: which tool JavaScript/TypeScript migrations belong to, when the guess is wrong. */
  migrationTool?: OrmTool;
}

export async function collectInputs(options: InputOptions): Promise<LintInputs> {
  const { cwd } = options;
  const inputs: LintInputs = { sources: [], problems: [], warnings: [], generated: new Map() };
  const fileInputs = options.paths.filter((p) => p !== '-');
  const wantsStdin = fileInputs.length !== options.paths.length;

  let migrations: Migration[];
  let history: Migration[] = [];
  if (options.since !== undefined) {
    const changed = changedSince(options.since, cwd);
    if (fileInputs.length === 0) {
      // No scope given: every changed migration under the current directory.
      const realCwd = fs.realpathSync(cwd);
      const inCwd = [...changed].filter((file) => !path.relative(realCwd, file).startsWith('..'));
      migrations = sortMigrations(inCwd.flatMap((file) => describeMigration(file, { scripts: true }) ?? []));
    } else {
      const discovered = discoverInto(fileInputs, cwd, inputs);
      migrations = discovered.filter((m) => changed.has(fs.realpathSync(m.path)));
      // The unchanged migrations before the first changed one are production's history: the
      // engine learns tables and column types from them (so they are not "new", and a varchar
      // widening is provably safe) without reporting anything in them.
      const firstChanged = discovered.indexOf(migrations[0]);
      history = firstChanged > 0 ? discovered.slice(0, firstChanged) : [];
    }
    if (migrations.length === 0) inputs.warnings.push(`no migrations changed since ${options.since}`);
  } else {
    migrations = discoverInto(fileInputs, cwd, inputs);
  }

  const scripts = await evaluateScripts([...history, ...migrations], options.migrationTool);
  for (const migration of inToolOrder(history, scripts)) {
    const shown = displayPath(migration.path, cwd);
    const script = scripts.get(migration);
    if (script && 'sql' in script) inputs.sources.push({ path: shown, text: script.sql.text, applied: true });
    if (script) continue;
    const read = readSqlFile(migration.path);
    if ('text' in read) inputs.sources.push({ path: shown, text: upMigrationText(read.text), applied: true });
  }
  for (const migration of inToolOrder(migrations, scripts)) {
    const shown = displayPath(migration.path, cwd);
    const script = scripts.get(migration);
    if (script && 'sql' in script) {
      inputs.sources.push({ path: shown, text: script.sql.text });
      inputs.generated.set(shown, { fileText: script.fileText, starts: script.sql.starts });
      continue;
    }
    if (script) {
      inputs.problems.push(inputProblem(shown, `${shown} ${script.problem}`, script.hint));
      continue;
    }
    const read = readSqlFile(migration.path);
    if ('text' in read) inputs.sources.push({ path: shown, text: upMigrationText(read.text) });
    else inputs.problems.push(inputProblem(shown, `${shown} ${read.problem}`, read.hint, read.position));
  }
  if (wantsStdin) {
    const read = decodeSql(await (options.readStdin ?? readProcessStdin)());
    if ('text' in read) inputs.sources.push({ path: STDIN_PATH, text: upMigrationText(read.text) });
    else inputs.problems.push(inputProblem(STDIN_PATH, `standard input ${read.problem}`, read.hint, read.position));
  }
  return inputs;
}

type ScriptOutcome =
  | { sql: ReturnType<typeof import('../orm/evaluate').sqlText>; fileText: string; orderKey?: string }
  | { problem: string; hint: string };

/**
 * Runs each JavaScript/TypeScript migration's `up` against its tool's SQL generation (src/orm/),
 * one after another (a migration module may share state with the next). The ORM code is loaded
 * only when there are such migrations.
 */
async function evaluateScripts(migrations: Migration[], tool: OrmTool | undefined): Promise<Map<Migration, ScriptOutcome>> {
  const outcomes = new Map<Migration, ScriptOutcome>();
  const scripts = migrations.filter((m) => m.script);
  if (scripts.length === 0) return outcomes;
  const orm = require('../orm/evaluate') as typeof import('../orm/evaluate');
  const { OrmEvaluationError } = require('../orm/types') as typeof import('../orm/types');
  for (const migration of scripts) {
    try {
      const evaluated = await orm.evaluateOrmMigration(migration.path, { tool });
      outcomes.set(migration, { sql: orm.sqlText(evaluated), fileText: fs.readFileSync(migration.path, 'utf8'), orderKey: evaluated.orderKey });
    } catch (err) {
      if (err instanceof OrmEvaluationError) outcomes.set(migration, { problem: err.message, hint: err.hint });
      else outcomes.set(migration, { problem: `cannot be evaluated: ${(err as Error)?.message ?? String(err)}`, hint: 'run it with its tool to see the error' });
    }
  }
  return outcomes;
}

/**
 * TypeORM orders migrations by the timestamp at the end of the class name, not by file name:
 * evaluated TypeORM migrations trade places among themselves to follow it; everything else keeps
 * the discovery order.
 */
function inToolOrder(migrations: Migration[], scripts: Map<Migration, ScriptOutcome>): Migration[] {
  const keyOf = (m: Migration) => {
    const outcome = scripts.get(m);
    return outcome && 'sql' in outcome ? outcome.orderKey : undefined;
  };
  const keyed = migrations.filter((m) => keyOf(m) !== undefined);
  const sorted = [...keyed].sort((a, b) => compareDigits(keyOf(a)!, keyOf(b)!));
  let next = 0;
  return migrations.map((m) => (keyOf(m) !== undefined ? sorted[next++] : m));
}

function compareDigits(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

function discoverInto(paths: readonly string[], cwd: string, inputs: LintInputs): Migration[] {
  const discovered = discoverMigrations(paths, { cwd, scripts: true });
  for (const error of discovered.errors) {
    if (error.entry === undefined) inputs.problems.push(inputProblem(error.input, error.message, error.hint));
    else {
      const shown = displayPath(error.entry, cwd);
      inputs.problems.push(inputProblem(shown, `${shown} ${error.message}`, error.hint));
    }
  }
  inputs.warnings.push(...discovered.warnings);
  return discovered.migrations;
}

/**
 * Relative to the current directory with forward slashes (what editors, SARIF and CI annotations
 * expect); absolute for files outside it, where a chain of ../ helps nobody.
 */
export function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return file;
  return relative.split(path.sep).join('/');
}

/** An input that cannot be linted, at the start of the file unless the problem is at one place in it. */
function inputProblem(file: string, message: string, hint: string, start: Position = { offset: 0, line: 1, column: 1 }): Finding {
  return {
    ruleId: INPUT_RULE_ID,
    severity: 'error',
    category: 'input',
    message,
    why: 'dbops could not lint this input, so nothing in it was checked.',
    fix: hint,
    file,
    start,
    end: start,
  };
}

function readProcessStdin(): Promise<Buffer> {
  if (process.stdin.isTTY) process.stderr.write('reading SQL from standard input (end with Ctrl-D)\n');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (chunk: Buffer) => chunks.push(chunk));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks)));
    process.stdin.on('error', reject);
  });
}

/** Absolute paths of files added, modified or renamed since `ref` (committed or not), plus untracked files. */
export function changedSince(ref: string, cwd: string): Set<string> {
  const top = git(['rev-parse', '--show-toplevel'], cwd, () => {
    throw new UsageError(`--since needs a git repository, and ${cwd} is not inside one`, `run ${dbopsCommand('lint')} from your repository, or drop --since`);
  }).trim();
  git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], cwd, () => {
    throw new UsageError(
      `--since ${ref}: no such commit, branch or tag in this repository`,
      'check the ref (git log --oneline); in CI fetch enough history, e.g. actions/checkout with fetch-depth: 0',
    );
  });
  const diffed = git(['diff', '--name-only', '-z', '--diff-filter=AMR', ref, '--'], top);
  const untracked = git(['ls-files', '--others', '--exclude-standard', '-z', '--full-name'], top);
  const files = `${diffed}\0${untracked}`.split('\0').filter(Boolean);
  return new Set(files.map((file) => path.join(top, file)));
}

function git(args: string[], cwd: string, onFailure?: () => never): string {
  // Only --since needs a child process: keep node:child_process off the start-up path.
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  const run = spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.error) {
    const missing = (run.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new UsageError(missing ? '--since needs git, and git is not installed' : `git failed: ${run.error.message}`, 'install git or drop --since');
  }
  if (run.status !== 0) {
    if (onFailure) onFailure();
    throw new UsageError(`git ${args[0]} failed: ${run.stderr.trim().split('\n')[0]}`, 'check the repository and --since ref');
  }
  return run.stdout;
}
