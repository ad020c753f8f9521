import { defineRule, format } from '../src/lint/rule';
import { actionsOn, lines } from '../src/lint/rule-helpers';

export default defineRule({
  meta: {
    id: 'renaming-table',
    title: 'Renaming a table breaks the clients still using the old name',
    category: 'compatibility',
    defaultSeverity: 'error',
    docs: 'docs/rules/renaming-table.md',
  },
  examples: {
    bad: ['ALTER TABLE users RENAME TO accounts'],
    good: ['CREATE TABLE drafts (id int);\nALTER TABLE drafts RENAME TO notes'],
  },
  messages: {
    rename: 'Renaming {table} to {newName} breaks every running client that still uses {table}',
  },
  actionKinds: ['rename-table'],
  check(stmt) {
    return actionsOn(stmt, this.actionKinds)
      .filter((a) => !a.oldNameReused && !a.secondHalfOfSwap)
      .map((a) => ({
        message: format(this.messages.rename, { table: a.relation.name, newName: a.newName }),
        why: 'The rename is instant, but clients deployed before it keep querying the old name and fail until they are replaced (AccessExclusiveLock is also taken briefly).',
        fix: lines(
          '-- Rename, and leave a view under the old name until every client has moved:',
          'BEGIN;',
          `ALTER TABLE ${a.relation.name} RENAME TO ${a.newName};`,
          `CREATE VIEW ${a.relation.name} AS SELECT * FROM ${a.newName};`,
          'COMMIT;',
        ),
      }));
  },
});
