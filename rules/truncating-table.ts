import { defineRule, format } from '../src/lint/rule';
import { actionsOn, lines, lockWhy } from '../src/lint/rule-helpers';

export default defineRule({
  meta: {
    id: 'truncating-table',
    title: 'TRUNCATE takes an ACCESS EXCLUSIVE lock and removes every row at once',
    category: 'rewrite',
    defaultSeverity: 'error',
    docs: 'docs/rules/truncating-table.md',
  },
  examples: {
    bad: ['TRUNCATE users'],
    good: ['CREATE TABLE import_buffer (id int);\nTRUNCATE import_buffer'],
  },
  messages: {
    truncate: 'TRUNCATE {table} blocks all reads and writes and removes every row',
  },
  actionKinds: ['truncate'],
  check(stmt) {
    return actionsOn(stmt, this.actionKinds).map((a) => ({
      message: format(this.messages.truncate, { table: a.relation.name }),
      why: lockWhy(
        a,
        a.lock,
        'It waits for every running query on the table (everything queues behind it), is not MVCC-safe for concurrent snapshots, and cannot be undone after COMMIT.',
      ),
      fix: lines(
        '-- If the data really must go, delete it in small batches by key (repeat until it deletes nothing):',
        `DELETE FROM ${a.relation.name} WHERE id IN (SELECT id FROM ${a.relation.name} ORDER BY id LIMIT 5000);`,
      ),
    }));
  },
});
