import { stripVTControlCharacters } from 'node:util';
import type Table from 'cli-table3';

/**
 * Every table dbops prints goes through here, so the table set-up is in one place.
 */

/**
 * A plain table, the one cli-table3 draws with compact style and no colours (statuses are
 * coloured by the caller), numbers right-aligned; drawn here because cli-table3 spent 50–100 ms
 * of CPU on the fifty rows of a fleet report (style merging and width measuring per cell).
 * Multi-line cells and ragged rows, which reports do not produce, still go to cli-table3.
 * test/output/table.test.ts keeps the two byte-identical.
 */
export function renderTable(head: string[], rows: string[][], rightAligned: number[] = []): string {
  if (head.length === 0 || rows.some((r) => r.length !== head.length) || [head, ...rows].some((r) => r.some((c) => c.includes('\n')))) {
    return cliTable3(head, rows, rightAligned);
  }
  const measured = [head, ...rows].map((r) => r.map((text) => ({ text, width: displayWidth(text) })));
  const widths = head.map((_, i) => Math.max(...measured.map((r) => r[i].width)));
  const line = (left: string, mid: string, right: string) => `${left}${widths.map((w) => '─'.repeat(w + 2)).join(mid)}${right}`;
  const row = (cells: Array<{ text: string; width: number }>) =>
    `│${cells.map((c, i) => {
      const pad = ' '.repeat(widths[i] - c.width);
      return ` ${rightAligned.includes(i) ? pad + c.text : c.text + pad} `;
    }).join('│')}│`;
  const [headRow, ...body] = measured;
  return [line('┌', '┬', '┐'), row(headRow), ...(body.length > 0 ? [line('├', '┼', '┤'), ...body.map(row)] : []), line('└', '┴', '┘')].join('\n');
}

/** Printable ASCII and the dash dbops prints for "none" are one column each; anything else is measured as cli-table3 measures it. */
function displayWidth(text: string): number {
  const plain = stripVTControlCharacters(text);
  if (/^[\x20-\x7e\u2014]*$/.test(plain)) return plain.length;
  return (require('string-width') as (s: string) => number)(plain);
}

/** The same table drawn by cli-table3 (the fallback, and the reference test/output/table.test.ts compares with). */
export function cliTable3(head: string[], rows: string[][], rightAligned: number[]): string {
  const table = new (require('cli-table3') as typeof Table)({
    head,
    style: { head: [], border: [], compact: true, 'padding-left': 1, 'padding-right': 1 },
    colAligns: head.map((_, i) => (rightAligned.includes(i) ? 'right' : 'left')),
    wordWrap: false,
  });
  table.push(...rows);
  return table.toString();
}

/**
 * A bordered table whose long cells wrap (queries, role lists): no built-in colours either. Rows
 * are pushed by the caller, whose columns may vary with the data.
 */
export function wrappingTable(head: string[]): Table.Table {
  return new (require('cli-table3') as typeof Table)({ head, style: { head: [], border: [] }, wordWrap: true });
}
