import { typeChangeRewrite, type TypeEnvironment } from '../../src/effects/column-types';
import type { ColumnType } from '../../src/effects/types';

const t = (name: string, mods: number[] = [], array = false): ColumnType => ({ name, mods, array, display: name });

describe('typeChangeRewrite', () => {
  it.each([
    [t('varchar', [50]), t('varchar', [100])],
    [t('varchar', [50]), t('varchar')],
    [t('varchar', [50]), t('text')],
    [t('varchar'), t('text')],
    [t('text'), t('varchar')],
    [t('numeric', [10, 2]), t('numeric', [12, 2])],
    [t('numeric', [10, 2]), t('numeric')],
    [t('varbit', [8]), t('varbit', [16])],
    [t('timestamp', [3]), t('timestamp', [6])],
    [t('timestamptz', [3]), t('timestamptz')],
    [t('cidr'), t('inet')],
    [t('int4'), t('int4')],
  ])('%o → %o needs no rewrite', (from, to) => {
    expect(typeChangeRewrite(from, to, 15).rewrite).toBe('no');
  });

  it.each([
    [t('int4'), t('int8')],
    [t('int8'), t('int4')],
    [t('text'), t('varchar', [50])],
    [t('varchar', [100]), t('varchar', [50])],
    [t('numeric', [10, 2]), t('numeric', [12, 3])],
    [t('numeric', [10, 2]), t('numeric', [8, 2])],
    [t('numeric'), t('numeric', [10, 2])],
    [t('bpchar', [5]), t('bpchar', [10])],
    [t('bpchar', [5]), t('text')],
    [t('varchar', [20], true), t('varchar', [30], true)],
    [t('text'), t('text', [], true)],
    [t('timestamp', [6]), t('timestamp', [3])],
  ])('%o → %o rewrites', (from, to) => {
    expect(typeChangeRewrite(from, to, 15).rewrite).toBe('yes');
  });

  const env = (over: Partial<TypeEnvironment> = {}): TypeEnvironment => ({ timeZone: null, domain: () => undefined, isUserType: () => false, ...over });

  it('converts text to a known enum type, and cannot prove anything about a type it does not know', () => {
    expect(typeChangeRewrite(t('text'), t('mood'), 15, env({ isUserType: (n) => n === 'mood' })).rewrite).toBe('yes');
    expect(typeChangeRewrite(t('text'), t('citext'), 15)).toMatchObject({ rewrite: 'unknown', cannotProve: expect.stringContaining('citext') });
  });

  it('decides timestamp ↔ timestamptz by the session TimeZone (PostgreSQL 12+)', () => {
    for (const zone of ['UTC', 'Etc/UTC', 'gmt', '0', '+00:00']) {
      expect(typeChangeRewrite(t('timestamp'), t('timestamptz'), 15, env({ timeZone: zone })).rewrite).toBe('no');
      expect(typeChangeRewrite(t('timestamptz'), t('timestamp'), 15, env({ timeZone: zone })).rewrite).toBe('no');
    }
    for (const zone of ['Europe/Paris', 'America/New_York', '2', '-05:00']) expect(typeChangeRewrite(t('timestamp'), t('timestamptz'), 15, env({ timeZone: zone })).rewrite).toBe('yes');
    expect(typeChangeRewrite(t('timestamp'), t('timestamptz'), 15, env({ timeZone: 'CET' }))).toMatchObject({ rewrite: 'unknown', cannotProve: expect.stringContaining('CET') });
    expect(typeChangeRewrite(t('timestamp'), t('timestamptz'), 11, env({ timeZone: 'UTC' })).rewrite).toBe('yes');
  });

  it('sees through domains: the base types decide, a domain with constraints is checked by a rewrite', () => {
    const domains: Record<string, { base: ColumnType; constrained: boolean }> = {
      short_text: { base: t('text'), constrained: false },
      email: { base: t('text'), constrained: true },
      big: { base: t('int8'), constrained: false },
    };
    const withDomains = env({ domain: (n) => domains[n] });
    expect(typeChangeRewrite(t('varchar'), t('short_text'), 15, withDomains).rewrite).toBe('no');
    expect(typeChangeRewrite(t('text'), t('email'), 15, withDomains).rewrite).toBe('yes');
    expect(typeChangeRewrite(t('int4'), t('big'), 15, withDomains).rewrite).toBe('yes');
    expect(typeChangeRewrite(t('short_text'), t('text'), 15, withDomains).rewrite).toBe('no');
  });

  it('cannot prove anything without the old type, or for timestamp → timestamptz', () => {
    expect(typeChangeRewrite(undefined, t('text'), 15)).toMatchObject({ rewrite: 'unknown', reason: expect.stringContaining('not known') });
    expect(typeChangeRewrite(t('timestamp'), t('timestamptz'), 15).rewrite).toBe('unknown');
    expect(typeChangeRewrite(t('timestamp'), t('timestamptz'), 11).rewrite).toBe('yes');
  });
});
