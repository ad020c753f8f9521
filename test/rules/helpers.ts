import { lintSources } from '../../src/lint/engine';
import type { Finding, LintOptions } from '../../src/lint/types';

/** Tables that already exist in production, as a schema the tests lint against. */
export const EXISTING_SCHEMA = `
CREATE TABLE users (id int PRIMARY KEY, name varchar(50), email text, score numeric(10,2), created timestamp, org_id int);
CREATE INDEX users_email ON users (email);
CREATE TABLE orgs (id int PRIMARY KEY);
CREATE MATERIALIZED VIEW stats AS SELECT count(*) FROM users;
`;

export async function lint(sql: string | string[], opts: Partial<LintOptions> = {}): Promise<Finding[]> {
  const texts = Array.isArray(sql) ? sql : [sql];
  const report = await lintSources(
    texts.map((text, i) => ({ path: `migrations/${String(i + 1).padStart(4, '0')}.sql`, text })),
    { pgVersion: 15, maxLockTimeoutMs: 5000, existingSchema: EXISTING_SCHEMA, ...opts },
  );
  return report.findings;
}

/** Findings of one rule only. */
export async function findingsOf(ruleId: string, sql: string | string[], opts: Partial<LintOptions> = {}): Promise<Finding[]> {
  return (await lint(sql, opts)).filter((f) => f.ruleId === ruleId);
}
