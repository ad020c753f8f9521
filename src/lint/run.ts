import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../core/errors';
import { configKey, loadConfig, type LoadedConfig } from '../config/load';
import { packageInfo } from '../util/package';
import { parseSize } from '../util/size';
import { collectInputs, type GeneratedSql } from './inputs';
import { pointAtMigrationFile } from './generated-positions';
import type { Finding, FindingVerification, LintOptions, LintReport, ObservedEffects, SeveritySetting, SqlSource, VerificationReport } from './types';
import { allRules, FindingTally, orderFindings, type LintRun } from '../output/lint/model';
import { joinChunks, type ReportChunk } from '../output/spool';
import type { ReportSink } from './engine';
import { canonicalFormat, type LintFormat } from '../output/formats';
import { ORM_TOOLS, type OrmTool } from '../orm/types';
import { lintWriter, wantsColor } from '../output/lint/index';
import { explainRule, listRules } from './rule-help';
import { prefetchParser } from './parser-prefetch';
import type { VerifiedStatement, VerifyResult } from '../verify/verify';
import { dbopsCommand } from '../core/dbops-command';

/** The flags of `dbops lint` once parsed; their specs are in src/cli/lint-flags.ts. */
export interface LintFlags {
  format: string;
  'pg-version'?: string;
  since?: string;
  rule?: string[];
  explain?: string;
  'list-rules'?: boolean;
  config?: string;
  stats?: string;
  verify?: string;
}

/**
 * `dbops lint` once its flags are parsed (by oclif, or by the start-up fast path): returns the
 * exit code. The parser and the engine are loaded here, not when the command is.
 */
export async function runLintCommand(flags: LintFlags, paths: string[]): Promise<number> {
  if (flags.explain !== undefined) {
    process.stdout.write(explainRule(flags.explain, packageInfo().root));
    return 0;
  }
  prefetchParser();
  const loaded = loadConfig({ explicitPath: flags.config, cwd: process.cwd() });
  const options = lintOptionsFrom(loaded, { pgVersion: flags['pg-version'], rule: flags.rule, stats: flags.stats });
  const { lintSources } = require('./engine') as typeof import('./engine');
  if (flags['list-rules']) {
    process.stdout.write(listRules((await lintSources([], options)).rules, options.severities ?? {}));
    return 0;
  }
  if (paths.length === 0) paths = defaultPaths(loaded);
  if (paths.length === 0 && flags.since === undefined) {
    throw new UsageError(
      'nothing to lint: give migration files, directories or globs, or - for standard input',
      'e.g. dbops lint db/migrations/ (or set migrations.dir in dbops.config.json)',
    );
  }
  const stdout = new BlockWriter(process.stdout);
  return lintAndRender(
    { paths, since: flags.since, format: canonicalFormat(flags.format) as LintFormat, color: wantsColor(process.stdout), cwd: process.cwd(), options, migrationTool: migrationToolFrom(loaded), verify: flags.verify },
    lintSources,
    { write: (chunk) => stdout.write(chunk), waitForReader: () => stdout.waitForReader(), end: () => stdout.end(), warn: (message) => process.stderr.write(`warning: ${message}\n`) },
  );
}

/**
 * migrations.dir from the config (relative to the config file), else ./migrations when it exists,
 * else the directory of a layout the tools' own files point at (prisma/migrations, Drizzle's out…).
 */
function defaultPaths(loaded: LoadedConfig): string[] {
  const dir = path.resolve(loaded.baseDir, loaded.config.migrations?.dir ?? 'migrations');
  if (loaded.config.migrations?.dir !== undefined || fs.existsSync(dir)) return [dir];
  const { detectLayouts } = require('../migrations/layouts') as typeof import('../migrations/layouts');
  const found = detectLayouts(loaded.baseDir).map((l) => path.resolve(loaded.baseDir, l.dir)).find((d) => fs.existsSync(d));
  return found ? [found] : [];
}

/** The lint engine's entry point (src/lint/engine.ts), passed in so this module stays testable and light. */
export type LintEngine = (sources: SqlSource[], options: LintOptions, observed?: ObservedEffects, sink?: ReportSink) => Promise<LintReport>;

export interface LintRequest {
  paths: string[];
  since?: string;
  format: LintFormat;
  color: boolean;
  cwd: string;
  options: LintOptions;
  readStdin?: () => Promise<Buffer>;
  /** lint.migrationTool (see collectInputs). */
  migrationTool?: OrmTool;
  /** --verify: `local` or the URL of a server where a scratch database may be created. */
  verify?: string;
}

/** Where a lint run's report and warnings go. */
export interface LintOutput {
  /** A piece of the report. */
  write(chunk: ReportChunk): void;
  /** A promise when the reader fell behind, to hold the run until it catches up; undefined when it keeps up. */
  waitForReader?(): Promise<void> | undefined;
  /** The report is complete: write out what is still buffered. */
  end?(): Promise<void>;
  /** One warning about the inputs, before the report starts. */
  warn(message: string): void;
}

/**
 * Reads the inputs, lints them with the engine and writes the report as the run goes: input
 * problems first, then each file's findings in order of position, each as soon as nothing can
 * come before it. No finding is kept (formats whose document starts with the summary spool them),
 * so memory does not grow with the findings. Returns the exit code.
 */
export async function lintAndRender(request: LintRequest, engine: LintEngine, out: LintOutput): Promise<number> {
  const inputs = await collectInputs({ paths: request.paths, since: request.since, cwd: request.cwd, readStdin: request.readStdin, migrationTool: request.migrationTool });
  for (const warning of inputs.warnings) out.warn(warning);
  // Code frames show the migration file as written, not the SQL recorded from it.
  const sources = new Map(inputs.sources.map((s) => [s.path, inputs.generated.get(s.path)?.fileText ?? s.text]));
  const { ruleMetas } = require('./engine') as typeof import('./engine');
  const writer = lintWriter(request.format, { rules: allRules({ rules: ruleMetas() }), sourceOf: (file) => sources.get(file) }, { color: request.color });
  const tally = new FindingTally();
  // Ordered on the SQL, then moved to the migration file's lines: findings keep the order the tool sends the statements in.
  const emit = (findings: Finding[], order: string[]) => {
    for (const finding of orderFindings(findings, order)) {
      const generated: GeneratedSql | undefined = inputs.generated.get(finding.file);
      const f = generated ? pointAtMigrationFile(finding, generated) : finding;
      tally.add(f);
      for (const chunk of writer.finding(f)) out.write(chunk);
    }
  };
  const unlinked = inputs.problems.filter((p) => !sources.has(p.file));
  emit(unlinked, unlinked.map((p) => p.file));
  // A linted file that also has an input problem (rare) is written whole when it is done, the two merged in order.
  const withProblems = new Map<string, Finding[]>();
  for (const p of inputs.problems) if (sources.has(p.file)) withProblems.set(p.file, [...(withProblems.get(p.file) ?? []), p]);
  let done = 0;
  const sink: ReportSink = {
    findings(batch) {
      const held = withProblems.get(batch[0].file);
      if (held) held.push(...batch);
      else emit(batch, []);
      return out.waitForReader?.();
    },
    async fileDone(linted) {
      const held = linted && withProblems.get(linted.path);
      if (held) emit(held, [linted.path]);
      // Its findings are out: its text is needed no more, so memory stays flat in the number of files.
      const source = inputs.sources[done];
      inputs.sources[done++] = { ...source, text: '' };
      sources.delete(source.path);
      await out.waitForReader?.();
    },
  };
  const report = request.verify === undefined ? await engine(inputs.sources, request.options, undefined, sink) : await verifiedLint(inputs.sources, request.options, request.verify, engine, sink);
  const run: LintRun = { report, sources, pgVersion: request.options.pgVersion, tool: toolInfo(), docsRoot: packageInfo().root };
  for (const chunk of writer.end(run, tally)) {
    out.write(chunk);
    await out.waitForReader?.();
  }
  await out.end?.();
  return tally.exitCode;
}

/** lintAndRender with the report as one string (for tests and benchmarks: it holds the whole report). */
export async function lintToString(request: LintRequest, engine: LintEngine): Promise<{ output: string; warnings: string[]; exitCode: number }> {
  const chunks: ReportChunk[] = [];
  const warnings: string[] = [];
  const exitCode = await lintAndRender(request, engine, { write: (chunk) => void chunks.push(chunk), warn: (message) => void warnings.push(message) });
  return { output: joinChunks(chunks), warnings, exitCode };
}

/**
 * Writes to a stream in blocks of about 64 KB. A pipe does not block the writer: waitForReader()
 * holds the run while the reader catches up, so a report does not pile up in memory ahead of a
 * slow reader (the findings of one 50,000-statement file did, with a wait only between files).
 */
class BlockWriter {
  private pending = '';
  /** The reader went away (EPIPE; bin/run.js keeps it from crashing the run): stdout then never drains, and nothing more is written. */
  private readerGone = false;

  constructor(private readonly stream: NodeJS.WriteStream) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') this.readerGone = true;
    });
  }

  write(chunk: ReportChunk): void {
    if (this.readerGone) return;
    if (typeof chunk !== 'string') {
      this.flush();
      this.stream.write(chunk);
      return;
    }
    this.pending += chunk;
    if (this.pending.length >= 65536) this.flush();
  }

  waitForReader(): Promise<void> | undefined {
    if (!this.stream.writableNeedDrain || this.readerGone) return undefined;
    return new Promise<void>((resolve) => {
      const done = () => {
        this.stream.off('drain', done).off('error', done);
        resolve();
      };
      this.stream.once('drain', done).once('error', done);
    });
  }

  async end(): Promise<void> {
    this.flush();
    await this.waitForReader();
  }

  private flush(): void {
    if (this.pending === '') return;
    this.stream.write(this.pending);
    this.pending = '';
  }
}

function verificationOf(v: VerifiedStatement): FindingVerification {
  const { summarizeStatement } = require('../verify/verify') as typeof import('../verify/verify');
  return { ...summarizeStatement(v), modelWasWrong: v.modelWasWrong, mismatches: v.mismatches };
}

/** The --verify section of a report (lint, and `dbops migrate plan --verify`). */
export function verificationReportOf(result: VerifyResult): VerificationReport {
  return {
    scratch: result.scratch,
    setupMs: result.setupMs,
    statements: result.statements.map((v) => ({
      file: v.file,
      line: v.line,
      text: v.text,
      traced: v.traced,
      ...verificationOf(v),
      error: v.error ? { code: v.error.code ?? null, message: v.error.message } : null,
      fromModel: v.fromModel ?? null,
      ms: v.ms,
    })),
  };
}

/** Lints what the scratch server observed instead of what the model predicted (see src/verify/). */
export async function verifiedLint(sources: SqlSource[], options: LintOptions, target: string, engine: LintEngine, sink?: ReportSink): Promise<LintReport> {
  const { verifySources } = require('../verify/verify') as typeof import('../verify/verify');
  const { analyzeOptionsOf } = require('./engine') as typeof import('./engine');
  const result = await verifySources({ target, sources, options: analyzeOptionsOf(options) });
  const byStatement = new Map(result.statements.map((v) => [`${v.file}\0${v.ordinal}`, v]));
  const report = await engine(sources, options, (file, ordinal) => {
    const v = byStatement.get(`${file}\0${ordinal}`);
    return v && !v.error && v.traced !== 'not-run' ? { effects: v.corrected, verification: verificationOf(v) } : undefined;
  }, sink);
  return { ...report, verification: verificationReportOf(result) };
}

export function toolInfo(): LintRun['tool'] {
  const pkg = packageInfo();
  return { name: 'dbops', version: pkg.version, informationUri: pkg.homepage };
}

const SEVERITIES: readonly SeveritySetting[] = ['off', 'warning', 'error'];

/**
 * Lint options from the configuration, then --pg-version and --rule id=severity on top. A rule id
 * no rule has is an error naming where it came from: a typo must not silently keep a rule on.
 */
export function lintOptionsFrom(loaded: LoadedConfig, flags: { pgVersion?: string; rule?: string[]; stats?: string }): LintOptions {
  const { unknownRuleIds } = require('./engine') as typeof import('./engine');
  const fromConfig = { severities: loaded.config.lint?.rules, ruleOptions: loaded.config.lint?.options };
  const unknownInConfig = unknownRuleIds(fromConfig);
  if (unknownInConfig.length > 0) {
    const key = unknownInConfig.every((id) => fromConfig.severities?.[id] !== undefined) ? 'lint.rules' : 'lint.rules / lint.options';
    throw new UsageError(
      `${configKey(loaded.path, key)} names unknown lint rule ${unknownInConfig.map((id) => `"${id}"`).join(', ')}`,
      `fix the id; \`${dbopsCommand('lint --list-rules')}\` lists the rule ids`,
    );
  }
  const severities: Record<string, SeveritySetting> = { ...(loaded.config.lint?.rules ?? {}) };
  for (const setting of flags.rule ?? []) {
    const match = /^([a-z0-9-]+)=(off|warning|error)$/.exec(setting.trim());
    if (!match) {
      throw new UsageError(`--rule ${setting}: expected <rule-id>=<${SEVERITIES.join('|')}>`, 'e.g. --rule creating-index-non-concurrently=warning');
    }
    if (unknownRuleIds({ severities: { [match[1]]: 'off' } }).length > 0) {
      throw new UsageError(`unknown lint rule "${match[1]}"`, `run \`${dbopsCommand('lint --list-rules')}\` to see the rule ids`);
    }
    severities[match[1]] = match[2] as SeveritySetting;
  }
  const fileTransaction = loaded.config.lint?.fileTransaction;
  if (fileTransaction !== undefined && typeof fileTransaction !== 'boolean') {
    throw new UsageError(`${loaded.path ?? 'configuration'}: lint.fileTransaction must be true or false`, 'set it to true when your migration runner wraps each file in a transaction');
  }
  return {
    pgVersion: flags.pgVersion === undefined ? loaded.pgVersion : parsePgVersion(flags.pgVersion),
    severities,
    ruleOptions: loaded.config.lint?.options,
    maxLockTimeoutMs: loaded.maxLockTimeoutMs,
    fileTransaction,
    newTables: newTablesFrom(loaded),
    existingSchema: existingSchemaFrom(loaded),
    stats: statsFrom(loaded, flags.stats),
    sizeThresholds: sizeThresholdsFrom(loaded),
    serverTimeZone: serverTimeZoneFrom(loaded),
  };
}

/** lint.serverTimeZone: the TimeZone sessions get when a migration does not set one. */
function serverTimeZoneFrom(loaded: LoadedConfig): string | undefined {
  const zone = loaded.config.lint?.serverTimeZone;
  if (zone === undefined) return undefined;
  if (typeof zone !== 'string' || zone.trim() === '') {
    throw new UsageError(`${loaded.path ?? 'configuration'}: lint.serverTimeZone must be a time zone name`, 'e.g. "serverTimeZone": "UTC" (what SHOW TimeZone says on the server)');
  }
  return zone;
}

/** --stats (relative to the current directory), else lint.statsFile (relative to the config file). */
function statsFrom(loaded: LoadedConfig, flag: string | undefined): LintOptions['stats'] {
  const configured = loaded.config.lint?.statsFile;
  if (flag === undefined && configured === undefined) return undefined;
  if (flag === undefined && (typeof configured !== 'string' || configured === '')) {
    throw new UsageError(`${loaded.path ?? 'configuration'}: lint.statsFile must be a path`, 'e.g. "statsFile": "dbops-stats.json" (written by dbops stats snapshot)');
  }
  const file = flag !== undefined ? path.resolve(process.cwd(), flag) : path.resolve(loaded.baseDir, configured!);
  const { readStatsFile } = require('../stats/file') as typeof import('../stats/file');
  return readStatsFile(file, flag !== undefined ? '--stats file' : 'lint.statsFile');
}

/** lint.sizeThresholds.warningBelow: with a stats file, heavy findings on smaller tables are warnings. */
function sizeThresholdsFrom(loaded: LoadedConfig): LintOptions['sizeThresholds'] {
  const thresholds = loaded.config.lint?.sizeThresholds;
  if (thresholds === undefined) return undefined;
  const where = `${loaded.path ?? 'configuration'}: lint.sizeThresholds`;
  if (typeof thresholds !== 'object' || thresholds === null || Object.keys(thresholds).some((k) => k !== 'warningBelow')) {
    throw new UsageError(`${where} must be an object with warningBelow`, 'e.g. "sizeThresholds": { "warningBelow": "10MB" }');
  }
  return thresholds.warningBelow === undefined ? {} : { warningBelowBytes: parseSize(String(thresholds.warningBelow), `${where}.warningBelow`) };
}

export function migrationToolFrom(loaded: LoadedConfig): OrmTool | undefined {
  const value = loaded.config.lint?.migrationTool;
  if (value === undefined || (ORM_TOOLS as readonly string[]).includes(value)) return value;
  throw new UsageError(`${loaded.path ?? 'configuration'}: lint.migrationTool must be one of ${ORM_TOOLS.join(', ')}, got ${JSON.stringify(value)}`, 'name the tool that runs your JavaScript/TypeScript migrations');
}

function newTablesFrom(loaded: LoadedConfig): LintOptions['newTables'] {
  const value = loaded.config.lint?.newTables;
  if (value === undefined || value === 'run' || value === 'file') return value;
  throw new UsageError(`${loaded.path ?? 'configuration'}: lint.newTables must be "run" or "file", got ${JSON.stringify(value)}`, 'use "file" when old migrations are linted together with new ones');
}

/** lint.schemaFile, relative to the config file: the schema production already has. */
function existingSchemaFrom(loaded: LoadedConfig): string | undefined {
  const file = loaded.config.lint?.schemaFile;
  if (file === undefined) return undefined;
  if (typeof file !== 'string' || file === '') {
    throw new UsageError(`${loaded.path ?? 'configuration'}: lint.schemaFile must be a path`, 'e.g. "schemaFile": "db/schema.sql" (a pg_dump --schema-only file)');
  }
  const full = path.resolve(loaded.baseDir, file);
  try {
    return fs.readFileSync(full, 'utf8');
  } catch {
    throw new UsageError(`cannot read lint.schemaFile ${full}`, 'fix the path in dbops.config.json (it is relative to the config file)');
  }
}

function parsePgVersion(value: string): number {
  const version = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(version >= 11 && version <= 18)) {
    throw new UsageError(`--pg-version ${value}: expected a PostgreSQL major version from 11 to 18`, 'e.g. --pg-version 15');
  }
  return version;
}
