import Table from 'cli-table3';

/**
 * Every table dbops prints goes through here, so cli-table3 is set up in one place.
 */

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

/**
 * A bordered table whose long cells wrap (queries, role lists): no built-in colours either. Rows
 * are pushed by the caller, whose columns may vary with the data.
 */
export function wrappingTable(head: string[]): Table.Table {
  return new Table({ head, style: { head: [], border: [] }, wordWrap: true });
}
