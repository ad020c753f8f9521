import { defineRule, format } from '../src/lint/rule';
import { actionsOn, lines, lockWhy } from '../src/lint/rule-helpers';

export default defineRule({
  meta: {
    id: 'cluster-table',
    title: 'CLUSTER rewrites the table under an ACCESS EXCLUSIVE lock',
    category: 'rewrite',
    defaultSeverity: 'error',
    docs: 'docs/rules/cluster-table.md',
  },
  examples: {
    bad: ['CLUSTER users USING users_pkey'],
    good: ['CREATE TABLE archive (id int PRIMARY KEY);\nCLUSTER archive USING archive_pkey'],
  },
  messages: {
    cluster: 'CLUSTER rewrites {table} while blocking all reads and writes',
  },
  actionKinds: ['cluster'],
  check(stmt) {
    return actionsOn(stmt, this.actionKinds).map((a) => ({
      message: format(this.messages.cluster, { table: a.relation.name }),
      why: lockWhy(a, a.lock, 'The table is copied in index order and every index rebuilt while the lock is held.'),
      fix: lines('-- Reorder online with pg_repack instead:', `-- pg_repack --table ${a.relation.name} --order-by <columns> <database>`),
    }));
  },
});
