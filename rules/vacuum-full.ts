import { defineRule, format } from '../src/lint/rule';
import { actionsOn, lines, lockWhy } from '../src/lint/rule-helpers';

export default defineRule({
  meta: {
    id: 'vacuum-full',
    title: 'VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock',
    category: 'rewrite',
    defaultSeverity: 'error',
    docs: 'docs/rules/vacuum-full.md',
  },
  examples: {
    bad: ['VACUUM FULL users'],
    good: ['VACUUM (ANALYZE) users'],
  },
  messages: {
    full: 'VACUUM FULL rewrites {table} while blocking all reads and writes',
  },
  actionKinds: ['vacuum-full'],
  check(stmt) {
    return actionsOn(stmt, this.actionKinds).map((a) => ({
      message: format(this.messages.full, { table: a.relation.name }),
      why: lockWhy(a, a.lock, 'The whole table and its indexes are copied while the lock is held.'),
      fix: lines(
        '-- Plain VACUUM reclaims space for reuse without blocking; to shrink the file online use pg_repack:',
        `VACUUM (ANALYZE) ${a.relation.name};`,
        `-- pg_repack --table ${a.relation.name} <database>`,
      ),
    }));
  },
});
