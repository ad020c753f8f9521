import { typeChangeRewrite } from '../../src/effects/column-types';
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
    [t('text'), t('mood')],
  ])('%o → %o rewrites', (from, to) => {
    expect(typeChangeRewrite(from, to, 15).rewrite).toBe('yes');
  });

  it('cannot prove anything without the old type, or for timestamp → timestamptz', () => {
    expect(typeChangeRewrite(undefined, t('text'), 15)).toMatchObject({ rewrite: 'unknown', reason: expect.stringContaining('not known') });
    expect(typeChangeRewrite(t('timestamp'), t('timestamptz'), 15).rewrite).toBe('unknown');
    expect(typeChangeRewrite(t('timestamp'), t('timestamptz'), 11).rewrite).toBe('yes');
  });
});
