import * as path from 'node:path';
import { UsageError } from '../../core/errors';
import { lines, openText } from './open-text';

/**
 * Statements from a PostgreSQL server log, streamed: the stderr format (any log_line_prefix;
 * continuation lines start with a tab), csvlog and jsonlog. Statements come from
 * log_min_duration_statement (`duration: 1.2 ms  statement: …` / `execute <name>: …`) and
 * log_statement (`statement: …`, `execute …: …`); a bare `duration: … ms` line (log_duration)
 * belongs to the statement its process logged before.
 */
export type LogFormat = 'stderr' | 'csvlog' | 'jsonlog';

export type LogEvent =
  | { kind: 'statement'; text: string; line: number; durationMs?: number; pid: string }
  | { kind: 'duration'; durationMs: number; pid: string };

/**
 * Streams the log and calls onEvent for each statement or duration found. Push, not an async
 * generator: a promise per line would cost more than parsing the line.
 */
export async function readServerLog(file: string, format: LogFormat | 'auto', onEvent: (ev: LogEvent) => void): Promise<void> {
  const stream = await openText(file);
  let parser: LineParser | undefined;
  let lineNo = 0;
  try {
    for await (const raw of lines(stream)) {
      lineNo++;
      // A wrong file (a binary, a core dump) must not pass as a log with no slow queries.
      if (lineNo === 1 && raw.includes('\0')) {
        throw new UsageError(`${file} is not a PostgreSQL server log (it holds NUL bytes)`, 'pass a stderr, csvlog or jsonlog file (optionally gzipped)');
      }
      parser ??= PARSERS[format === 'auto' ? detectFormat(raw, file) : format](onEvent);
      parser.line(raw, lineNo);
    }
    parser?.end();
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`, 'check that it is a PostgreSQL server log (optionally gzipped)');
  }
}

interface LineParser {
  line(raw: string, lineNo: number): void;
  end(): void;
}

type Emit = (ev: LogEvent) => void;

export function detectFormat(firstLine: string, file: string): LogFormat {
  if (firstLine.startsWith('{')) return 'jsonlog';
  // csvlog: the timestamp and its zone, then straight away a comma.
  if (/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?( [A-Za-z0-9+:-]+)?,/.test(firstLine)) return 'csvlog';
  if (/\b(LOG|ERROR|WARNING|FATAL|PANIC|INFO|NOTICE|DEBUG\d?|DETAIL|HINT|CONTEXT|STATEMENT):  /.test(firstLine)) return 'stderr';
  const ext = path.extname(file.replace(/\.gz$/, ''));
  if (ext === '.json') return 'jsonlog';
  if (ext === '.csv') return 'csvlog';
  return 'stderr';
}

/** Splits the message of a LOG entry into what it says about a statement. */
export function parseLogMessage(message: string, line: number, pid: string): LogEvent | undefined {
  let rest = message;
  let durationMs: number | undefined;
  if (rest.startsWith('duration: ')) {
    const end = rest.indexOf(' ms', 10);
    if (end < 0) return undefined;
    durationMs = Number(rest.slice(10, end));
    rest = rest.slice(end + 3);
    if (rest.length === 0) return { kind: 'duration', durationMs, pid };
    if (!rest.startsWith('  ')) return undefined;
    rest = rest.slice(2);
  }
  if (rest.startsWith('statement: ')) return { kind: 'statement', text: rest.slice(11), line, durationMs, pid };
  if (rest.startsWith('execute ')) {
    // "execute <unnamed>: …", "execute S_1: …", "execute fetch from S_1/C_2: …"
    const colon = rest.indexOf(': ');
    if (colon < 0) return undefined;
    return { kind: 'statement', text: rest.slice(colon + 2), line, durationMs, pid };
  }
  // parse/bind steps of the extended protocol are logged too; their execute line is what ran.
  return undefined;
}

const SEVERITY_MARK = 'LOG:  ';

function stderrParser(emit: Emit): LineParser {
  let current: { message: string; line: number; pid: string } | undefined;
  const flush = () => {
    if (!current) return;
    const ev = parseLogMessage(current.message, current.line, current.pid);
    if (ev) emit(ev);
    current = undefined;
  };
  return {
    line(raw, lineNo) {
      if (raw.charCodeAt(0) === 9) {
        if (current) current.message += '\n' + raw.slice(1);
        return;
      }
      flush();
      const at = raw.indexOf(SEVERITY_MARK);
      if (at < 0) return;
      const pidMatch = /\[(\d+)\]/.exec(raw.slice(0, at));
      current = { message: raw.slice(at + SEVERITY_MARK.length), line: lineNo, pid: pidMatch ? pidMatch[1] : '' };
    },
    end: flush,
  };
}

/** csvlog columns (PostgreSQL 13–17 share these positions). */
const CSV_PID = 3;
const CSV_SEVERITY = 11;
const CSV_MESSAGE = 13;

function csvParser(emit: Emit): LineParser {
  let record = '';
  let recordLine = 0;
  let quotes = 0;
  return {
    line(raw, lineNo) {
      if (record === '') recordLine = lineNo;
      record = record === '' ? raw : `${record}\n${raw}`;
      for (let i = 0; i < raw.length; i++) if (raw.charCodeAt(i) === 34) quotes++;
      // An odd number of quotes so far: a quoted field goes on over the next line.
      if (quotes % 2 === 1) return;
      const fields = parseCsvRecord(record);
      record = '';
      quotes = 0;
      if (fields[CSV_SEVERITY] !== 'LOG') return;
      const ev = parseLogMessage(fields[CSV_MESSAGE] ?? '', recordLine, fields[CSV_PID] ?? '');
      if (ev) emit(ev);
    },
    end() {},
  };
}

export function parseCsvRecord(record: string): string[] {
  const fields: string[] = [];
  let i = 0;
  const n = record.length;
  while (i <= n) {
    if (record.charCodeAt(i) === 34) {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = record.indexOf('"', j);
        if (q < 0) {
          value += record.slice(j);
          j = n;
          break;
        }
        value += record.slice(j, q);
        if (record.charCodeAt(q + 1) === 34) {
          value += '"';
          j = q + 2;
        } else {
          j = q + 1;
          break;
        }
      }
      fields.push(value);
      i = j + 1;
    } else {
      const comma = record.indexOf(',', i);
      const end = comma < 0 ? n : comma;
      fields.push(record.slice(i, end));
      i = end + 1;
    }
  }
  return fields;
}

function jsonParser(emit: Emit): LineParser {
  return {
    line(raw, lineNo) {
      if (raw.length === 0 || !raw.includes('"LOG"')) return;
      let entry: { error_severity?: string; message?: string; pid?: number };
      try {
        entry = JSON.parse(raw);
      } catch {
        throw new UsageError(`line ${lineNo} is not JSON`, 'pass --log-format stderr or csvlog if this is not a jsonlog file');
      }
      if (entry.error_severity !== 'LOG' || typeof entry.message !== 'string') return;
      const ev = parseLogMessage(entry.message, lineNo, String(entry.pid ?? ''));
      if (ev) emit(ev);
    },
    end() {},
  };
}

const PARSERS: Record<LogFormat, (emit: Emit) => LineParser> = { stderr: stderrParser, csvlog: csvParser, jsonlog: jsonParser };
