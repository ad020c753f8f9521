import { DbopsError } from '../core/errors';
import { EXIT } from '../core/exit-codes';
import type { Finding, LintOptions } from '../lint/types';
import type { PreparedMigration } from './statements';

/** The lint rule about setting lock_timeout: moot here, since the runner sets it on every statement. */
const RUNNER_SETS_LOCK_TIMEOUT = 'lock-timeout';

export interface LintGateResult {
  findings: Finding[];
  errors: number;
  /** The findings as `dbops lint` prints them (pretty). */
  rendered: string;
}

/**
 * Lints the pending migrations with the same engine and configuration as `dbops lint`, as the
 * runner will run them (one transaction per file unless some file runs statement by statement),
 * against the live schema (see live-schema.ts).
 */
export async function lintPending(pending: PreparedMigration[], options: LintOptions, color: boolean, existingSchema?: string): Promise<LintGateResult> {
  if (pending.length === 0) return { findings: [], errors: 0, rendered: '' };
  const { lintSources } = await import('../lint/engine');
  const { renderLint } = await import('../output/lint/index');
  const { orderFindings } = await import('../output/lint/model');
  const { toolInfo } = await import('../lint/run');
  const { packageInfo } = await import('../util/package');
  const sources = pending.map((m) => ({ path: m.file.displayPath, text: m.file.sql }));
  const report = await lintSources(sources, {
    ...options,
    severities: { ...options.severities, [RUNNER_SETS_LOCK_TIMEOUT]: 'off' },
    fileTransaction: pending.every((m) => m.transactional),
    existingSchema,
  });
  const findings = orderFindings(report.findings, sources.map((s) => s.path));
  const errors = findings.filter((f) => f.severity === 'error').length;
  const rendered =
    findings.length === 0
      ? ''
      : renderLint(
          'text',
          { report: { ...report, findings }, sources: new Map(sources.map((s) => [s.path, s.text])), pgVersion: options.pgVersion, tool: toolInfo(), docsRoot: packageInfo().root },
          { color },
        );
  return { findings, errors, rendered };
}

export function lintGateError(errors: number): DbopsError {
  return new DbopsError(`lint found ${errors} error${errors > 1 ? 's' : ''} in the pending migrations; nothing was applied`, {
    exitCode: EXIT.findings,
    hint: 'make the change the safe way shown, or, if it is safe here, put `-- dbops-ignore: <rule-id> <reason>` above the statement',
  });
}
