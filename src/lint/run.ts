import { UsageError } from '../cli/errors';
import type { LoadedConfig } from '../config/load';
import { packageInfo } from '../util/package';
import { collectInputs } from './inputs';
import type { LintOptions, LintReport, SeveritySetting, SqlSource } from './types';
import { allRules, lintExitCode, orderFindings, type LintRun } from '../output/lint/model';
import { renderLint, type LintFormat } from '../output/lint/index';

/** The lint engine's entry point (src/lint/engine.ts), passed in so this module stays testable and light. */
export type LintEngine = (sources: SqlSource[], options: LintOptions) => Promise<LintReport>;

export interface LintRequest {
  paths: string[];
  since?: string;
  format: LintFormat;
  color: boolean;
  cwd: string;
  options: LintOptions;
  readStdin?: () => Promise<Buffer>;
}

export interface LintOutcome {
  output: string;
  warnings: string[];
  exitCode: number;
}

/** Reads the inputs, lints them, validates rule ids against what the engine knows, renders. */
export async function lintAndRender(request: LintRequest, engine: LintEngine): Promise<LintOutcome> {
  const inputs = await collectInputs({ paths: request.paths, since: request.since, cwd: request.cwd, readStdin: request.readStdin });
  const report = await engine(inputs.sources, request.options);
  assertKnownRules(Object.keys(request.options.severities ?? {}), report);
  const files = report.files.map((f) => f.path);
  const findings = orderFindings([...inputs.problems, ...report.findings], [...inputs.problems.map((p) => p.file), ...files]);
  const run: LintRun = {
    report: { ...report, findings },
    sources: new Map(inputs.sources.map((s) => [s.path, s.text])),
    pgVersion: request.options.pgVersion,
    tool: toolInfo(),
    docsRoot: packageInfo().root,
  };
  return { output: renderLint(request.format, run, { color: request.color }), warnings: inputs.warnings, exitCode: lintExitCode(findings) };
}

export function toolInfo(): LintRun['tool'] {
  const pkg = packageInfo();
  return { name: 'dbops', version: pkg.version, informationUri: pkg.homepage };
}

function assertKnownRules(ids: string[], report: LintReport): void {
  const known = new Set(allRules(report).map((r) => r.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new UsageError(`unknown lint rule ${unknown.map((id) => `"${id}"`).join(', ')}`, 'run `dbops lint --list-rules` to see the rule ids');
  }
}

const SEVERITIES: readonly SeveritySetting[] = ['off', 'warning', 'error'];

/** Lint options from the configuration, then --pg-version and --rule id=severity on top. */
export function lintOptionsFrom(loaded: LoadedConfig, flags: { pgVersion?: string; rule?: string[] }): LintOptions {
  const severities: Record<string, SeveritySetting> = { ...(loaded.config.lint?.rules ?? {}) };
  for (const setting of flags.rule ?? []) {
    const match = /^([a-z0-9-]+)=(off|warning|error)$/.exec(setting.trim());
    if (!match) {
      throw new UsageError(`--rule ${setting}: expected <rule-id>=<${SEVERITIES.join('|')}>`, 'e.g. --rule require-concurrent-index=warning');
    }
    severities[match[1]] = match[2] as SeveritySetting;
  }
  return {
    pgVersion: flags.pgVersion === undefined ? loaded.pgVersion : parsePgVersion(flags.pgVersion),
    severities,
    ruleOptions: loaded.config.lint?.options,
    maxLockTimeoutMs: loaded.maxLockTimeoutMs,
  };
}

function parsePgVersion(value: string): number {
  const version = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(version >= 11 && version <= 18)) {
    throw new UsageError(`--pg-version ${value}: expected a PostgreSQL major version from 11 to 18`, 'e.g. --pg-version 15');
  }
  return version;
}
