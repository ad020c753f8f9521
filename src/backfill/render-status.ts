import type { TextOrJson } from '../output/formats';
import { renderJsonDocument } from '../output/json';
import { statusRecord } from './control';
import type { BackfillState } from './types';

/**
 * `dbops backfill status`: one backfill (named) or all of them. JSON: the envelope with the
 * backfill's fields, or with `backfills`, the list.
 */
export function renderBackfillStatus(format: TextOrJson, states: BackfillState[], named: boolean): string {
  const records = states.map(statusRecord);
  switch (format) {
    case 'json':
      // A named backfill that does not exist is an error before this point.
      return renderJsonDocument(named ? records[0]! : { backfills: records });
    case 'text':
      return records.length === 0 ? 'no backfills yet\n' : records.map(recordText).join('');
  }
}

function recordText(r: ReturnType<typeof statusRecord>): string {
  const total = r.estimatedRows ? ` of ~${Math.max(r.estimatedRows, r.rowsScanned).toLocaleString('en-US')}` : '';
  const lines = [
    `${r.name}  ${r.state}`,
    `  table ${r.table} key (${r.key.join(', ')}), ${r.rowsScanned.toLocaleString('en-US')}${total} rows walked, ${r.rowsDone.toLocaleString('en-US')} updated, ${r.batches} batches, ${r.elapsed}`,
    `  cursor ${r.cursor ? `(${r.cursor.join(', ')})` : 'at the start'}, owner ${r.owner ?? '-'}${r.runnerAttached ? ' (running now)' : ''}, updated ${r.updatedAt}`,
    ...(r.error ? [`  error: ${r.error}`] : []),
  ];
  return lines.map((l) => l + '\n').join('');
}
