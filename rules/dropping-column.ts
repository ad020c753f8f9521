import { defineRule, format } from '../src/lint/rule';
import { actionsOn, lines } from '../src/lint/rule-helpers';

export default defineRule({
  meta: {
    id: 'dropping-column',
    title: 'Dropping a column breaks the clients still using it',
    category: 'compatibility',
    defaultSeverity: 'warning',
    docs: 'docs/rules/dropping-column.md',
  },
  examples: {
    bad: ['ALTER TABLE users DROP COLUMN score'],
    good: ['CREATE TABLE drafts (id int, body text);\nALTER TABLE drafts DROP COLUMN body'],
  },
  messages: {
    drop: 'Dropping {table}.{column} breaks every running client that still reads or writes it',
  },
  actionKinds: ['drop-column'],
  check(stmt) {
    return actionsOn(stmt, this.actionKinds).map((a) => ({
      message: format(this.messages.drop, { table: a.relation.name, column: a.column }),
      why: 'The drop is instant, but queries naming the column (and ORMs that list every column) fail until every client is redeployed without it. It also takes AccessExclusiveLock briefly.',
      fix: lines(
        '-- First release: stop using the column (ORMs: mark it ignored). Later release, once nothing reads it:',
        "SET lock_timeout = '2s';",
        `ALTER TABLE ${a.relation.name} DROP COLUMN ${a.column};`,
      ),
    }));
  },
});
