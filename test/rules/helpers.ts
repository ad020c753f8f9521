import { lintSources } from '../../src/lint/engine';
import type { Finding, LintOptions } from '../../src/lint/types';
import { EXAMPLE_SCHEMA } from '../fixtures/example-schema';

/** Lints files as one run, against the example schema (users, orgs, stats exist in production). */
export async function lint(sql: string | string[], opts: Partial<LintOptions> = {}): Promise<Finding[]> {
  const texts = Array.isArray(sql) ? sql : [sql];
  const report = await lintSources(
    texts.map((text, i) => ({ path: `migrations/${String(i + 1).padStart(4, '0')}.sql`, text })),
    { pgVersion: 15, maxLockTimeoutMs: 5000, existingSchema: EXAMPLE_SCHEMA, ...opts },
  );
  return report.findings;
}

/** Findings of one rule only. */
export async function findingsOf(ruleId: string, sql: string | string[], opts: Partial<LintOptions> = {}): Promise<Finding[]> {
  return (await lint(sql, opts)).filter((f) => f.ruleId === ruleId);
}
