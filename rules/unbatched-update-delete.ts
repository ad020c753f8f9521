import { defineRule, format } from '../src/lint/rule';
import { actionsOn, lines } from '../src/lint/rule-helpers';

export default defineRule({
  meta: {
    id: 'unbatched-update-delete',
    title: 'UPDATE/DELETE of a whole table in a migration: one huge transaction',
    category: 'lock',
    defaultSeverity: 'warning',
    docs: 'docs/rules/unbatched-update-delete.md',
  },
  examples: {
    bad: ['UPDATE users SET score = 0', 'DELETE FROM users'],
    good: ['UPDATE users SET score = 0 WHERE id BETWEEN 1 AND 1000'],
  },
  messages: {
    whole: '{verb} without WHERE touches every row of {table} in one transaction',
  },
  actionKinds: ['update', 'delete'],
  check(stmt) {
    return actionsOn(stmt, this.actionKinds)
      .filter((a) => a.wholeTable)
      .map((a) => {
        const verb = a.kind === 'update' ? 'UPDATE' : 'DELETE';
        return {
          message: format(this.messages.whole, { verb, table: a.relation.name }),
          why: `Every row stays locked until COMMIT (concurrent ${verb === 'UPDATE' ? 'updates and deletes' : 'updates'} of those rows wait), the table bloats, replicas fall behind replaying one huge transaction, and a failure rolls back all of it.`,
          fix: lines(
            verb === 'UPDATE' ? '-- Do it in small batches, throttled by replication lag, outside the migration:' : '-- Delete in small batches by key, outside the migration, watching replication lag:',
            verb === 'UPDATE'
              ? `--   dbops backfill run --table ${a.relation.name} --set "<assignments>" --where "<not yet done>"`
              : `DELETE FROM ${a.relation.name} WHERE id IN (SELECT id FROM ${a.relation.name} WHERE <condition> ORDER BY id LIMIT 5000);  -- repeat until it deletes nothing`,
          ),
        };
      });
  },
});
