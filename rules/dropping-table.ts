import { defineRule, format } from '../src/lint/rule';
import { actionsOn, lines } from '../src/lint/rule-helpers';

export default defineRule({
  meta: {
    id: 'dropping-table',
    title: 'Dropping a table breaks the clients still using it and loses its data',
    category: 'compatibility',
    defaultSeverity: 'warning',
    docs: 'docs/rules/dropping-table.md',
  },
  examples: {
    bad: ['DROP TABLE orgs CASCADE'],
    good: ['CREATE TABLE drafts (id int);\nDROP TABLE drafts'],
  },
  messages: {
    drop: 'Dropping {table} breaks every running client that still uses it, and its data is gone',
  },
  actionKinds: ['drop-table'],
  check(stmt) {
    return actionsOn(stmt, this.actionKinds)
      .filter((a) => a.relation.kind === 'table')
      .map((a) => ({
        message: format(this.messages.drop, { table: a.relation.name }),
        why: 'Clients deployed before the drop fail on every query that touches the table. DROP also takes AccessExclusiveLock on it, on the tables its foreign keys reference and on tables whose foreign keys point at it.',
        fix: lines(
          '-- Confirm nothing reads or writes it any more (the counters stop moving), keep a dump if needed, then say so:',
          `SELECT seq_scan, idx_scan, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables WHERE relname = '${a.relation.name.split('.').pop()}';`,
          `-- dbops-ignore: dropping-table <unused since …, dump archived>`,
        ),
      }));
  },
});
