import { detectFormat, parseCsvRecord, parseLogMessage } from '../../src/audit/sources/server-log';

describe('server log lines', () => {
  it.each([
    ['duration: 1.5 ms  statement: SELECT 1', { kind: 'statement', text: 'SELECT 1', durationMs: 1.5 }],
    ['duration: 0.020 ms  execute <unnamed>: SELECT $1', { kind: 'statement', text: 'SELECT $1', durationMs: 0.02 }],
    ['duration: 3 ms  execute fetch from S_1/C_2: SELECT * FROM t', { kind: 'statement', text: 'SELECT * FROM t', durationMs: 3 }],
    ['statement: SELECT a: b FROM t', { kind: 'statement', text: 'SELECT a: b FROM t', durationMs: undefined }],
    ['execute S_7: UPDATE t SET x = 1', { kind: 'statement', text: 'UPDATE t SET x = 1', durationMs: undefined }],
    ['duration: 12.000 ms', { kind: 'duration', durationMs: 12 }],
  ])('%s', (message, expected) => {
    expect(parseLogMessage(message, 1, '9')).toMatchObject(expected);
  });

  it.each(['duration: 0.1 ms  parse <unnamed>: SELECT 1', 'duration: 0.1 ms  bind S_1: SELECT 1', 'checkpoint starting: time', 'connection received: host=x'])(
    'ignores %s',
    (message) => {
      expect(parseLogMessage(message, 1, '9')).toBeUndefined();
    },
  );

  it('splits csvlog records with quotes, commas and newlines inside fields', () => {
    expect(parseCsvRecord('2026-01-01 00:00:00 UTC,"u",,42,"a ""quoted"", b\nnext line",x,')).toEqual([
      '2026-01-01 00:00:00 UTC',
      'u',
      '',
      '42',
      'a "quoted", b\nnext line',
      'x',
      '',
    ]);
  });

  it('detects the format from the first line', () => {
    expect(detectFormat('{"timestamp":"2026-11-23 10:00:00.001 UTC"}', 'x.log')).toBe('jsonlog');
    expect(detectFormat('2026-11-23 10:00:00.001 UTC,"postgres","postgres",12,', 'x.log')).toBe('csvlog');
    expect(detectFormat('2026-11-23 10:00:00.001 UTC [1] LOG:  starting PostgreSQL 15.20 on x86_64, compiled by gcc', 'x.csv')).toBe('stderr');
    expect(detectFormat('some other first line', 'postgresql.json.gz')).toBe('jsonlog');
  });
});
