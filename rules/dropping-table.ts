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
  check(stmt) {
    return actionsOn(stmt, 'drop-table')
      .filter((a) => a.relation.kind === 'table')
      .map((a) => ({
        message: format(this.messages.drop, { table: a.relation.name }),
        why: 'Clients deployed before the drop fail on every query that touches the table; DROP also takes AccessExclusiveLock on it (and on tables whose foreign keys point at it).',
        fix: lines(
          '-- Stop using it first; then rename it aside for a release before dropping it for good:',
          `ALTER TABLE ${a.relation.name} RENAME TO ${a.relation.name.split('.').pop()}_deprecated;`,
        ),
      }));
  },
});
