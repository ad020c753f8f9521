import { defineRule, format } from '../src/lint/rule';
import { actionsOn, lines } from '../src/lint/rule-helpers';

export default defineRule({
  meta: {
    id: 'renaming-column',
    title: 'Renaming a column breaks the clients still using the old name',
    category: 'compatibility',
    defaultSeverity: 'error',
    docs: 'docs/rules/renaming-column.md',
  },
  examples: {
    bad: ['ALTER TABLE users RENAME COLUMN name TO full_name'],
    good: ['ALTER TABLE users ADD COLUMN full_name varchar(50)'],
  },
  messages: {
    rename: 'Renaming {table}.{column} to {newName} breaks every running client that still uses {column}',
  },
  actionKinds: ['rename-column'],
  check(stmt) {
    return actionsOn(stmt, this.actionKinds)
      .filter((a) => !a.oldNameReused && !a.secondHalfOfSwap)
      .map((a) => ({
        message: format(this.messages.rename, { table: a.relation.name, column: a.column, newName: a.newName }),
        why: 'The rename is instant, but application servers deployed before it keep sending the old name and fail until they are replaced (AccessExclusiveLock is also taken briefly).',
        fix: lines(
          '-- Expand and contract: add the new column, write both, backfill, move readers, then drop the old one in a later release.',
          `ALTER TABLE ${a.relation.name} ADD COLUMN ${a.newName} <type>;`,
        ),
      }));
  },
});
