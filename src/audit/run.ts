import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../core/errors';
import { withSession } from '../db/connect';
import { describeQueryError } from '../db/query-errors';
import { loadParser, parseSqlFile } from '../sql/parser';
import { skipTrivia } from '../sql/source-text';
import { QueryCollector, rank, type AuditResult, type QueryGroup, type Thresholds } from './aggregate';
import { StatementAnalyzer } from './analyzer';
import { readStatStatements } from './queries';
import { readAllText } from './sources/open-text';
import { readServerLog, type LogFormat } from './sources/server-log';

export interface AuditInput {
  /** Read pg_stat_statements from this connection (undefined URL: DATABASE_URL / PG*). */
  fromDb?: { url?: string };
  logs: string[];
  logFormat: LogFormat | 'auto';
  /** SQL files or directories (searched for *.sql); "-" is standard input. */
  files: string[];
  thresholds: Thresholds;
}

export interface AuditRun extends AuditResult {
  /** pg_stat_statements rows this role may not read (it lacks pg_read_all_stats). */
  hiddenStatements: number;
  parses: number;
  /** --log files in which no statement was found (logging off, not English, or not a log). */
  logsWithoutStatements: string[];
}

export async function runAudit(input: AuditInput): Promise<AuditRun> {
  await loadParser();
  const analyzer = new StatementAnalyzer();
  const filesOnly = !input.fromDb && input.logs.length === 0;
  const collector = new QueryCollector(filesOnly ? Number.POSITIVE_INFINITY : 5);
  let hiddenStatements = 0;
  for (const file of expandSqlFiles(input.files)) await collectFile(collector, analyzer, file);
  const logsWithoutStatements: string[] = [];
  const logs = [...new Map(input.logs.map((log) => [path.resolve(log), log])).values()];
  for (const log of logs) if ((await collectLog(collector, analyzer, log, input.logFormat)) === 0) logsWithoutStatements.push(log);
  if (input.fromDb) hiddenStatements = await collectStatStatements(collector, analyzer, input.fromDb.url);
  return { ...rank(collector, input.thresholds), hiddenStatements, parses: analyzer.parses, logsWithoutStatements };
}

/** Directories become the *.sql files under them, in name order; a file reached twice is read once. */
export function expandSqlFiles(inputs: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (file: string) => {
    const key = file === '-' ? file : path.resolve(file);
    if (seen.has(key)) return;
    seen.add(key);
    out.push(file);
  };
  for (const input of inputs) {
    if (input === '-') {
      add(input);
      continue;
    }
    let stat: fs.Stats;
    try {
      stat = fs.statSync(input);
    } catch {
      throw new UsageError(`cannot read ${input}: no such file or directory`, 'check the --file path');
    }
    if (!stat.isDirectory()) {
      add(input);
      continue;
    }
    const found = (fs.readdirSync(input, { recursive: true }) as string[]).filter((f) => /\.sql(\.gz)?$/i.test(f)).sort();
    if (found.length === 0) throw new UsageError(`no .sql files in ${input}`, 'pass SQL files or a directory holding them');
    for (const f of found) add(path.join(input, f));
  }
  return out;
}

async function collectFile(collector: QueryCollector, analyzer: StatementAnalyzer, file: string): Promise<void> {
  const text = await readAllText(file);
  const name = file === '-' ? 'stdin' : file;
  // Empty or comment-only input holds no statement (the parser would call it an empty query).
  if (skipTrivia(text, 0) === text.length) return;
  const parsed = parseSqlFile(text);
  for (const st of parsed.statements) {
    const source = { file: name, line: st.start.line, column: st.start.column };
    collector.add(st.text, analyzer.analyze(st.text), source);
  }
  for (const err of parsed.errors) {
    const line = parsed.source.lineText(err.position.line).trim();
    collector.addUnparsable({ file: name, line: err.position.line, column: err.position.column }, err.message, line);
  }
}

/** Processes whose statement we saw last, for durations logged on their own line; bounded. */
const MAX_TRACKED_PIDS = 10_000;

/** Returns how many statements the log held. */
async function collectLog(collector: QueryCollector, analyzer: StatementAnalyzer, file: string, format: LogFormat | 'auto'): Promise<number> {
  const lastByPid = new Map<string, QueryGroup>();
  let statements = 0;
  await readServerLog(file, format, (ev) => {
    if (ev.kind === 'duration') {
      const g = lastByPid.get(ev.pid);
      if (g) collector.addTime(g, ev.durationMs);
      lastByPid.delete(ev.pid);
      return;
    }
    statements++;
    const groups = collector.add(ev.text, analyzer.analyze(ev.text), { file, line: ev.line }, { calls: 1, totalMs: ev.durationMs });
    if (ev.durationMs === undefined && groups.length > 0) {
      if (lastByPid.size >= MAX_TRACKED_PIDS) lastByPid.clear();
      lastByPid.set(ev.pid, groups[0]);
    }
  });
  return statements;
}

async function collectStatStatements(collector: QueryCollector, analyzer: StatementAnalyzer, url: string | undefined): Promise<number> {
  return withSession({ url, applicationName: 'dbops audit queries', readOnly: true }, async (s) => {
    const rows = await readStatStatements(s.client, s.target.label).catch((err) => {
      throw describeQueryError(err, 'reading pg_stat_statements', 'connect as a role with pg_read_all_stats (or a superuser)');
    });
    let hidden = 0;
    for (const row of rows) {
      if (row.query === '<insufficient privilege>') {
        hidden++;
        continue;
      }
      const label = `pg_stat_statements queryid=${row.queryid ?? '?'}${row.dbname ? ` db=${row.dbname}` : ''}${row.username ? ` user=${row.username}` : ''}`;
      collector.add(row.query, analyzer.analyze(row.query), { label }, { calls: Number(row.calls), totalMs: row.total_ms, rows: Number(row.rows) });
    }
    return hidden;
  });
}
