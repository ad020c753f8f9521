import { wrappingTable } from '../output/table';
import { formatSource, type RankedQuery } from './aggregate';
import type { AuditRun } from './run';
import { packageInfo } from '../util/package';
import type { AuditFormat } from '../output/formats';
import { renderJsonDocument } from '../output/json';
import { renderSarifLog, sarifLocation, type SarifResult, type SarifRule } from '../output/sarif';

const oneLine = (s: string, n: number) => {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > n ? `${flat.slice(0, n - 1)}…` : flat;
};
const ms = (v: number | undefined) => (v === undefined ? '' : v >= 100 ? v.toFixed(0) : v.toFixed(2));

/** Errors, then warnings, each in rank order: what fails the audit is never below the fold. */
function findings(run: AuditRun): RankedQuery[] {
  return [...run.queries.filter((q) => q.severity === 'error'), ...run.queries.filter((q) => q.severity === 'warning')];
}

/**
 * Every finding, then the rest in rank order up to --limit rows in all: a flagged query must be
 * on screen however little time it takes.
 */
export function renderTable(run: AuditRun, limit: number): string {
  const out: string[] = [];
  const flagged = findings(run);
  const rest = run.queries.filter((q) => q.severity === 'ok');
  const shown = [...flagged, ...rest.slice(0, Math.max(0, limit - flagged.length))];
  if (shown.length === 0) out.push('No queries that read tables.');
  else {
    // Calls and time columns only when some source had them (logs, pg_stat_statements).
    const counted = run.queries.some((q) => q.calls !== undefined);
    const table = wrappingTable(['severity', 'tables', 'widest', ...(counted ? ['calls', 'total ms', 'mean ms'] : []), 'relations', 'query', 'seen at']);
    for (const q of shown) {
      const timing = counted ? [q.calls === undefined ? '' : String(q.calls), ms(q.totalMs), q.calls && q.totalMs !== undefined ? ms(q.totalMs / q.calls) : ''] : [];
      table.push([
        q.severity === 'ok' ? '' : q.severity,
        String(q.analysis.tables),
        String(q.analysis.widestJoin),
        ...timing,
        oneLine(q.analysis.relations.join(', '), 40) + (q.analysis.crossJoins.length ? `\ncross join: ${q.analysis.crossJoins.join('; ')}` : ''),
        oneLine(q.sample, 70),
        q.sources[0] ? formatSource(q.sources[0]) : '',
      ]);
    }
    out.push(table.toString());
    if (run.queries.length > shown.length) out.push(`… ${run.queries.length - shown.length} more (raise --limit, or use --format json).`);
  }
  out.push(summaryLine(run));
  if (run.unparsableCount > 0) {
    out.push(`${run.unparsableCount} statement(s) did not parse:`);
    for (const u of run.unparsable.slice(0, 10)) out.push(`  ${formatSource(u.source)}: ${u.message}: ${oneLine(u.text, 60)}`);
    if (run.unparsableCount > 10) out.push('  … (all of them: --format json)');
  }
  for (const log of run.logsWithoutStatements) {
    out.push(`note: no statements found in ${log}: turn on log_min_duration_statement (or log_statement) with lc_messages in English, or check --log-format.`);
  }
  if (run.hiddenStatements > 0) out.push(`note: ${run.hiddenStatements} pg_stat_statements entries belong to other roles and are hidden; grant pg_read_all_stats to see them.`);
  return out.join('\n');
}

/** Findings named in the summary line; more than this and the line says how many more. */
const NAMED_FINDINGS = 3;

function summaryLine(run: AuditRun): string {
  const errors = run.queries.filter((q) => q.severity === 'error').length;
  const warnings = run.queries.filter((q) => q.severity === 'warning').length;
  const flagged = findings(run);
  const named = flagged.slice(0, NAMED_FINDINGS).map((q) => `${q.severity} ${q.analysis.tables} tables at ${q.sources[0] ? formatSource(q.sources[0]) : oneLine(q.sample, 40)}`);
  if (flagged.length > NAMED_FINDINGS) named.push(`${flagged.length - NAMED_FINDINGS} more`);
  return (
    `${run.statements} statement(s), ${run.distinct} distinct; ${errors} at ${run.thresholds.error}+ tables (error), ` +
    `${warnings} over ${run.thresholds.warning} tables (warning)${named.length ? `: ${named.join('; ')}` : ''}; ` +
    `findings first, then ranked by ${run.timed ? 'total time' : 'join count'}.`
  );
}

function queryJson(q: RankedQuery) {
  return {
    fingerprint: q.fingerprint,
    query: q.sample,
    tables: q.analysis.tables,
    widestJoin: q.analysis.widestJoin,
    crossJoins: q.analysis.crossJoins,
    relations: q.analysis.relations,
    severity: q.severity,
    ...(q.calls !== undefined ? { calls: q.calls } : {}),
    ...(q.totalMs !== undefined ? { total_ms: round(q.totalMs), mean_ms: q.calls ? round(q.totalMs / q.calls) : undefined } : {}),
    ...(q.rows !== undefined ? { rows: q.rows } : {}),
    occurrences: q.occurrences,
    sources: q.sources.map(formatSource),
  };
}

const round = (v: number) => Math.round(v * 1000) / 1000;

export function auditJson(run: AuditRun): object {
  return {
    queries: run.queries.map(queryJson),
    unparsable: run.unparsable.map((u) => ({ source: formatSource(u.source), message: u.message, text: u.text })),
    summary: {
      statements: run.statements,
      distinct: run.distinct,
      queries: run.queries.length,
      errors: run.queries.filter((q) => q.severity === 'error').length,
      warnings: run.queries.filter((q) => q.severity === 'warning').length,
      unparsable: run.unparsableCount,
      hiddenStatements: run.hiddenStatements,
      logsWithoutStatements: run.logsWithoutStatements,
      thresholds: run.thresholds,
      rankedBy: run.timed ? 'total_ms' : 'tables',
    },
  };
}

// Relative help links are invalid SARIF (helpUri must be absolute), and the package publishes no
// documentation URL: the rules name the page instead.
const RULE_HELP = { text: 'See docs/commands/audit-queries.md in dbops (what is counted, thresholds, how to fix).' };

const RULES: SarifRule[] = [
  {
    id: 'too-many-joins',
    shortDescription: { text: 'Query joins more tables than the planner searches exhaustively' },
    fullDescription: {
      text: 'Past join_collapse_limit/from_collapse_limit (8) the planner stops searching join orders exhaustively; at geqo_threshold (12) it switches to a genetic search whose plans vary between runs.',
    },
    help: RULE_HELP,
  },
  {
    id: 'cross-join',
    shortDescription: { text: 'Join with no join condition' },
    fullDescription: { text: 'FROM items that no condition connects produce every combination of their rows.' },
    help: RULE_HELP,
  },
  {
    id: 'syntax-error',
    shortDescription: { text: 'Statement does not parse' },
    fullDescription: { text: 'The statement could not be audited because PostgreSQL\'s parser rejects it.' },
    help: RULE_HELP,
  },
];

/** Like dbops lint's SARIF: the package version, and absolute links only when the package declares a homepage. */
export function auditSarif(run: AuditRun): string {
  const pkg = packageInfo();
  const home = pkg.homepage?.replace(/\/$/, '');
  const rules = RULES.map((rule) => (home ? { ...rule, helpUri: `${home}/blob/main/docs/commands/audit-queries.md` } : rule));
  const results: SarifResult[] = [];
  const location = (s: { file?: string; line?: number; column?: number }) => sarifLocation(s.file!, { startLine: s.line ?? 1, startColumn: s.column ?? 1 });
  for (const q of run.queries) {
    const files = q.sources.filter((s) => s.file !== undefined);
    if (q.severity !== 'ok') {
      for (const s of files) {
        results.push({
          ruleId: 'too-many-joins',
          level: q.severity,
          message: { text: `This query joins ${q.analysis.tables} tables (widest single join: ${q.analysis.widestJoin}); ${q.severity === 'error' ? `error at ${run.thresholds.error}` : `warning over ${run.thresholds.warning}`}. Tables: ${q.analysis.relations.join(', ')}.` },
          locations: [location(s)],
          partialFingerprints: { queryFingerprint: q.fingerprint },
        });
      }
    }
    for (const cj of q.analysis.crossJoins) {
      for (const s of files) results.push({ ruleId: 'cross-join', level: 'note', message: { text: `Join with no join condition: ${cj}.` }, locations: [location(s)], partialFingerprints: { queryFingerprint: q.fingerprint } });
    }
  }
  for (const u of run.unparsable) {
    if (u.source.file !== undefined) results.push({ ruleId: 'syntax-error', level: 'note', message: { text: `Not audited: ${u.message}` }, locations: [location(u.source)] });
  }
  return renderSarifLog({ name: 'dbops audit queries', version: pkg.version, informationUri: home }, rules, results);
}

/** The audit in the chosen format, as printed. */
export function renderAudit(format: AuditFormat, run: AuditRun, limit: number): string {
  switch (format) {
    case 'text':
      return renderTable(run, limit) + '\n';
    case 'json':
      return renderJsonDocument(auditJson(run));
    case 'sarif':
      return auditSarif(run);
  }
}
