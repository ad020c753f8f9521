import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { runCli } from '../harness/cli';

const chain = (n: number, prefix = 't') =>
  `SELECT * FROM ${prefix}1 ${Array.from({ length: n - 1 }, (_, i) => `JOIN ${prefix}${i + 2} ON ${prefix}${i + 2}.id = ${prefix}${i + 1}.next_id`).join(' ')}`;

describe('dbops audit queries on files, stdin and logs (no server)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-audit-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string | Buffer) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, text);
    return p;
  };

  it('reports counts, severities and file:line sources in JSON, exit 1 at the error threshold', async () => {
    const file = write('queries.sql', `-- captured\n${chain(3)};\n\n${chain(9)};\n${chain(13)} WHERE t1.id = 5;\n${chain(13)} WHERE t1.id = 77;\nSELEC broken;\n`);
    const res = await runCli(['audit', 'queries', '--file', file, '--format', 'json']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(1);
    const json = JSON.parse(res.stdout);
    expect(json.queries.map((q: any) => [q.tables, q.severity, q.occurrences])).toEqual([[13, 'error', 2], [9, 'warning', 1], [3, 'ok', 1]]);
    expect(json.queries[0].sources).toEqual([`${file}:5:1`, `${file}:6:1`]);
    expect(json.queries[0].relations).toHaveLength(13);
    expect(json.queries[0].calls).toBeUndefined();
    expect(json.queries[0].fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(json.unparsable).toEqual([{ source: `${file}:7:1`, message: 'syntax error at or near "SELEC"', text: 'SELEC broken;' }]);
    expect(json.summary).toMatchObject({ statements: 5, distinct: 3, errors: 1, warnings: 1, unparsable: 1, rankedBy: 'tables', thresholds: { warning: 8, error: 12 } });
  });

  it('honours --max-joins flags and audit.maxJoins in the config', async () => {
    const file = write('nine.sql', `${chain(9)};\n`);
    const flagged = await runCli(['audit', 'queries', '--file', file, '--max-joins', '4', '--max-joins-error', '9', '--format', 'json']);
    expect(flagged.code).toBe(1);
    expect(JSON.parse(flagged.stdout).queries[0].severity).toBe('error');
    fs.writeFileSync(path.join(dir, 'dbops.config.json'), JSON.stringify({ audit: { maxJoins: { warning: 10, error: 20 } } }));
    const relaxed = await runCli(['audit', 'queries', '--file', file, '--format', 'json'], { cwd: dir });
    expect(relaxed.code).toBe(0);
    expect(JSON.parse(relaxed.stdout).queries[0].severity).toBe('ok');
    fs.rmSync(path.join(dir, 'dbops.config.json'));
  });

  it('reads standard input and prints a table', async () => {
    const res = await runCli(['audit', 'queries'], { input: `${chain(9)}; SELECT * FROM a, b;` });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/│ warning +│ 9 +│ 9 +│/);
    expect(res.stdout).toContain('cross join: a × b');
    expect(res.stdout).toContain('stdin:1:1');
    expect(res.stdout).toContain('2 statement(s), 2 distinct; 0 at 12+ tables (error), 1 over 8 tables (warning): warning 9 tables at stdin:1:1; findings first, then ranked by join count.');
  });

  it('SARIF cross-join results are notes, as documented', async () => {
    const file = write('cross.sql', 'SELECT * FROM a, b;\n');
    const res = await runCli(['audit', 'queries', '--file', file, '--format', 'sarif']);
    const results = JSON.parse(res.stdout).runs[0].results;
    expect(results).toEqual([expect.objectContaining({ ruleId: 'cross-join', level: 'note' })]);
    expect(fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'commands', 'audit-queries.md'), 'utf8')).toContain('`cross-join` and `syntax-error` (note)');
  });

  it('writes SARIF for file input', async () => {
    const file = write('sarif.sql', `SELECT 1;\n${chain(12)};\n`);
    const res = await runCli(['audit', 'queries', '--file', file, '--format', 'sarif']);
    expect(res.code).toBe(1);
    const sarif = JSON.parse(res.stdout);
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results).toEqual([
      expect.objectContaining({
        ruleId: 'too-many-joins',
        level: 'error',
        locations: [{ physicalLocation: { artifactLocation: { uri: file }, region: { startLine: 2, startColumn: 1 } } }],
      }),
    ]);
    // SARIF 2.1.0 requires helpUri and informationUri to be absolute URIs (code scanning validates them);
    // no invented project URL either: the package declares none.
    const driver = sarif.runs[0].tool.driver;
    expect(driver).toMatchObject({ name: 'dbops audit queries', version: JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8')).version });
    expect(driver.informationUri).toBeUndefined();
    for (const rule of driver.rules) {
      expect(rule.helpUri).toBeUndefined();
      expect(rule.help.text).toContain('docs/commands/audit-queries.md');
    }
  });

  it('a file named twice (directly and through its directory) is audited once', async () => {
    const sub = path.join(dir, 'twice');
    fs.mkdirSync(sub, { recursive: true });
    const file = path.join(sub, 'q.sql');
    fs.writeFileSync(file, `${chain(3)};\n`);
    const res = await runCli(['audit', 'queries', '--file', file, '--file', sub, '--file', `${sub}/./q.sql`, '--format', 'json']);
    expect(res.code).toBe(0);
    const json = JSON.parse(res.stdout);
    expect(json.summary.statements).toBe(1);
    expect(json.queries[0].occurrences).toBe(1);
  });

  it('exits 2 for a binary file, as SQL or as a log, instead of auditing garbage', async () => {
    const binary = write('image.sql', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0x0a, 0x53, 0x45, 0x4c, 0x00]));
    const asSql = await runCli(['audit', 'queries', '--file', binary]);
    expect(asSql.code).toBe(2);
    expect(asSql.stdout).toBe('');
    expect(asSql.stderr.trim().split('\n')).toEqual([`error: ${binary} is not a text file (it holds NUL bytes) — pass SQL text files (optionally gzipped)`]);
    const asStdin = await runCli(['audit', 'queries'], { input: fs.readFileSync(binary, 'latin1') });
    expect(asStdin.code).toBe(2);
    expect(asStdin.stderr).toMatch(/^error: standard input is not a text file/);
    const asLog = await runCli(['audit', 'queries', '--log', binary]);
    expect(asLog.code).toBe(2);
    expect(asLog.stderr.trim().split('\n')).toEqual([`error: ${binary} is not a PostgreSQL server log (it holds NUL bytes) — pass a stderr, csvlog or jsonlog file (optionally gzipped)`]);
  });

  it('says when a log held no statements (logging off, wrong file) instead of a silent clean audit', async () => {
    const log = write('quiet.log', '2026-11-23 12:00:00.000 UTC [42] LOG:  checkpoint starting: time\n2026-11-23 12:00:01.000 UTC [42] LOG:  checkpoint complete\n');
    const table = await runCli(['audit', 'queries', '--log', log]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(`note: no statements found in ${log}: turn on log_min_duration_statement (or log_statement) with lc_messages in English, or check --log-format`);
    const json = await runCli(['audit', 'queries', '--log', log, '--format', 'json']);
    expect(JSON.parse(json.stdout).summary.logsWithoutStatements).toEqual([log]);
  });

  it('exits 2 for bad input: missing file, sarif for logs, bad thresholds', async () => {
    const missing = await runCli(['audit', 'queries', '--file', path.join(dir, 'nope.sql')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe(`error: cannot read ${path.join(dir, 'nope.sql')}: no such file or directory — check the --file path`);
    const sarif = await runCli(['audit', 'queries', '--log', path.join(dir, 'x.log'), '--format', 'sarif']);
    expect(sarif.code).toBe(2);
    expect(sarif.stderr).toContain('error: --format sarif needs file input');
    const bad = await runCli(['audit', 'queries', '--file', '-', '--max-joins', '12', '--max-joins-error', '8'], { input: 'SELECT 1' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('error: the error threshold (8 tables) must be above the warning threshold (12)');
    const empty = await runCli(['audit', 'queries'], { input: '' });
    expect(empty.code).toBe(2);
    expect(empty.stderr.trim()).toBe('error: no input: standard input was empty — pass --from-db, --log FILE or --file FILE, or pipe SQL into standard input');
    // Naming stdin explicitly (`producer | dbops audit queries --file -`) must not pass on no input either.
    const emptyDash = await runCli(['audit', 'queries', '--file', '-'], { input: '' });
    expect(emptyDash.code).toBe(2);
    expect(emptyDash.stderr.trim()).toBe('error: no input: standard input was empty — pass --from-db, --log FILE or --file FILE, or pipe SQL into standard input');
    const noLog = await runCli(['audit', 'queries', '--log', path.join(dir, 'absent.log')]);
    expect(noLog.code).toBe(2);
    expect(noLog.stderr.trim()).toBe(`error: cannot read ${path.join(dir, 'absent.log')}: no such file — check the path`);
  });

  const stderrLog = [
    `2026-11-23 10:00:00.001 UTC [101] LOG:  duration: 2.500 ms  statement: ${chain(3)}`,
    `2026-11-23 10:00:00.002 UTC [102] LOG:  duration: 0.100 ms  parse <unnamed>: ${chain(9)}`,
    `2026-11-23 10:00:00.003 UTC [102] LOG:  duration: 0.200 ms  bind <unnamed>: ${chain(9)}`,
    `2026-11-23 10:00:00.004 UTC [102] LOG:  duration: 4.000 ms  execute <unnamed>: ${chain(9)}`,
    `2026-11-23 10:00:00.004 UTC [102] DETAIL:  parameters: $1 = '5'`,
    '2026-11-23 10:00:00.005 UTC [103] LOG:  statement: SELECT *',
    '\tFROM big1 b1',
    ...Array.from({ length: 12 }, (_, i) => `\tJOIN big${i + 2} b${i + 2} ON b${i + 2}.id = b${i + 1}.id`),
    '2026-11-23 10:00:00.105 UTC [103] LOG:  duration: 100.000 ms',
    '2026-11-23 10:00:00.200 UTC [104] ERROR:  relation "nope" does not exist at character 15',
    '2026-11-23 10:00:00.200 UTC [104] STATEMENT:  SELECT * FROM nope',
    `2026-11-23 10:00:00.300 UTC [101] LOG:  duration: 1.500 ms  statement: ${chain(3)}`,
    '2026-11-23 10:00:00.400 UTC [105] LOG:  duration: 0.300 ms  statement: SELEC 1',
    '2026-11-23 10:00:00.500 UTC [106] LOG:  checkpoint starting: time',
  ].join('\n') + '\n';

  it('reads a stderr log: durations, execute lines, tab-continued statements, bare durations; gzip by magic bytes', async () => {
    for (const file of [write('server.log', stderrLog), write('server-log-without-extension', zlib.gzipSync(stderrLog))]) {
      const res = await runCli(['audit', 'queries', '--log', file, '--format', 'json']);
      expect(res.code).toBe(1);
      const json = JSON.parse(res.stdout);
      expect(json.summary.rankedBy).toBe('total_ms');
      expect(json.queries.map((q: any) => [q.tables, q.calls, q.total_ms])).toEqual([[13, 1, 100], [9, 1, 4], [3, 2, 4]]);
      expect(json.queries[0].sources).toEqual([`${file}:6`]);
      expect(json.queries[0].query).toContain('\nJOIN big13 b13 ON b13.id = b12.id');
      expect(json.unparsable.map((u: any) => u.source)).toEqual([`${file}:24`]);
    }
    // The same log named twice is read once: calls and time are not doubled.
    const log = path.join(dir, 'server.log');
    const twice = JSON.parse((await runCli(['audit', 'queries', '--log', log, '--log', `${dir}/./server.log`, '--format', 'json'])).stdout);
    expect(twice.queries.map((q: any) => [q.tables, q.calls, q.total_ms])).toEqual([[13, 1, 100], [9, 1, 4], [3, 2, 4]]);
  });

  it('reads csvlog and jsonlog', async () => {
    const csvQuote = (s: string) => `"${s.replace(/"/g, '""')}"`;
    const csvLine = (pid: number, severity: string, message: string) =>
      `2026-11-23 10:00:00.001 UTC,"app","shop",${pid},"127.0.0.1:5000",abc.1,1,"SELECT",2026-11-23 09:00:00 UTC,3/4,0,${severity},00000,${csvQuote(message)},,,,,,,,,"psql","client backend",,0`;
    const csv = [
      csvLine(7, 'LOG', `duration: 3.000 ms  statement: SELECT "x" FROM a\n  JOIN b ON b.id = a.id\n  JOIN c ON c.id = b.id`),
      csvLine(8, 'ERROR', 'syntax error'),
      csvLine(9, 'LOG', `duration: 1.000 ms  execute S_1: ${chain(9)}`),
    ].join('\n') + '\n';
    const csvRes = await runCli(['audit', 'queries', '--log', write('pg.csv', csv), '--format', 'json']);
    expect(csvRes.code).toBe(0);
    const fromCsv = JSON.parse(csvRes.stdout);
    expect(fromCsv.queries.map((q: any) => [q.tables, q.total_ms, q.sources[0].replace(/.*:/, '')])).toEqual([[3, 3, '1'], [9, 1, '5']]);

    const json = [
      JSON.stringify({ timestamp: '2026-11-23 10:00:00.001 UTC', pid: 7, error_severity: 'LOG', message: `duration: 5.000 ms  statement: ${chain(13)}` }),
      JSON.stringify({ timestamp: '2026-11-23 10:00:00.002 UTC', pid: 7, error_severity: 'LOG', message: 'checkpoint complete' }),
      JSON.stringify({ timestamp: '2026-11-23 10:00:00.003 UTC', pid: 8, error_severity: 'LOG', message: 'statement: SELECT * FROM a,\n b WHERE a.id = b.id' }),
    ].join('\n') + '\n';
    const jsonRes = await runCli(['audit', 'queries', '--log', write('pg.json', json), '--format', 'json']);
    expect(jsonRes.code).toBe(1);
    expect(JSON.parse(jsonRes.stdout).queries.map((q: any) => [q.tables, q.total_ms ?? null, q.calls])).toEqual([[13, 5, 1], [2, null, 1]]);
  });
});
