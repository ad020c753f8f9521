import fc from 'fast-check';
import { cliTable3 as byCliTable3, renderTable } from '../../src/output/table';

const piece = fc.constantFrom('a', 'Z', '0', ' ', '-', '—', '│', '·', 'é', '漢', 'ｶ', '✅', '\u0301', '%', '12.3 MB');
// Colours as kleur writes them: a whole cell, opened and closed.
const colour = fc.constantFrom(['', ''], ['\x1b[31m', '\x1b[39m'], ['\x1b[1m', '\x1b[22m']);
const cell = fc.tuple(fc.array(piece, { maxLength: 6 }), colour).map(([parts, [open, close]]) => `${open}${parts.join('')}${close}`);

describe('renderTable', () => {
  it('draws what cli-table3 draws: widths, alignment, colours, wide characters, no rows', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }).chain((cols) => fc.tuple(fc.array(cell, { minLength: cols, maxLength: cols }), fc.array(fc.array(cell, { minLength: cols, maxLength: cols }), { maxLength: 6 }), fc.subarray([...Array(cols).keys()]))), ([head, rows, right]) => {
        expect(renderTable(head, rows, right)).toBe(byCliTable3(head, rows, right));
      }),
      { numRuns: 300 },
    );
  });

  it('a fleet report table at fifty rows, and the cases it leaves to cli-table3 (multi-line cells, ragged rows)', () => {
    const head = ['node', 'upstream', 'state', 'behind primary', 'status', 'note'];
    const rows = Array.from({ length: 50 }, (_, i) => [`  d${i % 4}-i${i % 3}-l${i}`, `d${i % 4}-i${i % 3}`, 'streaming', `${i}.0 kB`, i % 7 ? '\x1b[32mOK\x1b[39m' : '\x1b[31mCRITICAL\x1b[39m', i % 7 ? '' : 'replay paused']);
    expect(renderTable(head, rows, [3])).toBe(byCliTable3(head, rows, [3]));
    expect(renderTable(['a', 'b'], [['one\ntwo', 'x']])).toBe(byCliTable3(['a', 'b'], [['one\ntwo', 'x']], []));
    expect(renderTable(['a', 'b'], [['x']])).toBe(byCliTable3(['a', 'b'], [['x']], []));
  });
});
