import Table from 'cli-table3';

/** A plain cli-table3 table: no built-in colours (statuses are coloured by the caller), aligned numbers. */
export function renderTable(head: string[], rows: string[][], rightAligned: number[] = []): string {
  const table = new Table({
    head,
    style: { head: [], border: [], compact: true, 'padding-left': 1, 'padding-right': 1 },
    colAligns: head.map((_, i) => (rightAligned.includes(i) ? 'right' : 'left')),
    wordWrap: false,
  });
  table.push(...rows);
  return table.toString();
}
