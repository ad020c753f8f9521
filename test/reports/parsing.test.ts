import { parseSize, formatBytes } from '../../src/util/size';
import { parseLsn, bytesBetween } from '../../src/replication/lsn';
import { Exposition } from '../../src/reports/render/prometheus';
import { parseLagThresholds } from '../../src/reports/lag/evaluate';
import { parseConnectionThresholds, parseUsageThreshold } from '../../src/reports/connections/evaluate';
import { worstStatus } from '../../src/reports/status';
import { resolveTopology } from '../../src/replication/topology';
import { UsageError } from '../../src/core/errors';

describe('report flag values and formats', () => {
  it.each([
    ['0', 0], ['512', 512], ['512kB', 512 * 1024], ['16MB', 16 * 1024 ** 2], ['1GB', 1024 ** 3], ['1.5 GB', 1.5 * 1024 ** 3], ['2t', 2 * 1024 ** 4],
  ])('parseSize(%s)', (text, bytes) => expect(parseSize(text)).toBe(bytes));

  it.each(['', 'MB', '12XB', '-1MB', '1 2MB'])('parseSize rejects %p', (text) => expect(() => parseSize(text, '--warn-bytes')).toThrow(/invalid --warn-bytes/));

  it('formats bytes in PostgreSQL units', () => {
    expect([0, 104, 731976, 16 * 1024 ** 2, 3 * 1024 ** 4].map(formatBytes)).toEqual(['0 B', '104 B', '714.8 kB', '16.0 MB', '3.0 TB']);
  });

  it('computes exact, never negative byte distances between LSNs', () => {
    expect(parseLsn('16/B374D848')).toBe((0x16n << 32n) + 0xb374d848n);
    expect(bytesBetween(parseLsn('1/0'), parseLsn('0/FFFFFFF0'))).toBe(16);
    expect(bytesBetween(parseLsn('0/10'), parseLsn('0/20'))).toBe(0);
    expect(bytesBetween(null, parseLsn('0/20'))).toBeNull();
    expect(parseLsn('nonsense')).toBeNull();
  });

  it('reads lag thresholds: durations with units, sizes; warn must not exceed critical', () => {
    expect(parseLagThresholds({ warn: '5s', critical: '2min', warnBytes: '16MB', criticalBytes: '1GB' })).toEqual({ warnSeconds: 5, criticalSeconds: 120, warnBytes: 16 * 1024 ** 2, criticalBytes: 1024 ** 3 });
    expect(parseLagThresholds({ warn: '10s', critical: '1h' }).warnSeconds).toBe(10);
    expect(() => parseLagThresholds({ warn: '1min', critical: '30s' })).toThrow(/--warn \(1min\) is above --critical \(30s\)/);
  });

  it('a bad lag threshold says what it really accepts: a number with a unit', () => {
    const hint = (() => {
      try {
        parseLagThresholds({ warn: 'soon' });
      } catch (err) {
        return (err as UsageError).hint;
      }
    })();
    expect(hint).toContain('use a number with a unit (us, ms, s, min, h, d)');
  });

  it('a topology.primary that is not a URL string is a one-line configuration error', () => {
    expect(() => resolveTopology({}, { topology: { primary: 5 as unknown as string } })).toThrow(UsageError);
    expect(() => resolveTopology({}, { topology: { primary: 5 as unknown as string } })).toThrow(/topology.primary must be a connection URL/);
  });

  it('reads connection thresholds as a percentage or a count', () => {
    expect(parseUsageThreshold('80%', '--warn')).toEqual({ percent: 80 });
    expect(parseUsageThreshold('450', '--critical')).toEqual({ connections: 450 });
    expect(() => parseUsageThreshold('80 percent', '--warn')).toThrow(/invalid --warn/);
  });

  it('refuses connection thresholds where the warning is above the critical one (same unit)', () => {
    expect(() => parseConnectionThresholds('90%', '50%')).toThrow(/--warn \(90%\) is above --critical \(50%\)/);
    expect(() => parseConnectionThresholds('400', '300')).toThrow(/--warn \(400\) is above --critical \(300\)/);
    expect(parseConnectionThresholds('80%', '95%')).toEqual({ warn: { percent: 80 }, critical: { percent: 95 } });
    // Different units cannot be compared without the server's limit: both are kept.
    expect(parseConnectionThresholds('400', '95%')).toEqual({ warn: { connections: 400 }, critical: { percent: 95 } });
  });

  it('ranks CRITICAL over UNKNOWN over WARNING over OK', () => {
    expect(worstStatus(['OK', 'UNKNOWN', 'CRITICAL', 'WARNING'])).toBe('CRITICAL');
    expect(worstStatus(['OK', 'WARNING', 'UNKNOWN'])).toBe('UNKNOWN');
    expect(worstStatus([])).toBe('OK');
  });

  it('escapes label values and leaves unknown samples out of the exposition', () => {
    const text = new Exposition()
      .gauge('m', 'help', [{ labels: { app: 'a"b\\c\nd', gone: null }, value: 1.23456789 }, { labels: { app: 'x' }, value: null }])
      .gauge('empty', 'never printed', [{ labels: {}, value: null }])
      .toString();
    expect(text).toBe('# HELP m help\n# TYPE m gauge\nm{app="a\\"b\\\\c\\nd"} 1.234568\n');
  });
});
