/**
 * The output formats of every command, as constants (flag definitions load this module and
 * nothing else; each command renders with an exhaustive `switch` over its type, so the compiler
 * refuses a format with no renderer).
 *
 * The human format has one name everywhere: `text`. Commands called it `pretty` (lint, migrate)
 * or `table` (reports, audit, sessions idle, timeouts check) before; those names stay accepted,
 * silently, as aliases of `text`.
 */
export const HUMAN_FORMAT = 'text';
export const HUMAN_FORMAT_ALIASES = ['pretty', 'table'] as const;

export const LINT_FORMATS = [HUMAN_FORMAT, 'json', 'sarif', 'github', 'gitlab', 'markdown'] as const;
export type LintFormat = (typeof LINT_FORMATS)[number];

export const MIGRATE_FORMATS = [HUMAN_FORMAT, 'json'] as const;
export type MigrateFormat = (typeof MIGRATE_FORMATS)[number];

export const REPORT_FORMATS = [HUMAN_FORMAT, 'json', 'prometheus'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const AUDIT_FORMATS = [HUMAN_FORMAT, 'json', 'sarif'] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];

/** backfill run and status, sessions idle, timeouts check and enforce. */
export const TEXT_OR_JSON = [HUMAN_FORMAT, 'json'] as const;
export type TextOrJson = (typeof TEXT_OR_JSON)[number];

/** The format a user typed, with an old name of the human format read as `text`. */
export function canonicalFormat(value: string): string {
  return (HUMAN_FORMAT_ALIASES as readonly string[]).includes(value) ? HUMAN_FORMAT : value;
}
