import { defineRule, format } from '../src/lint/rule';
import { actionsOn, ident, lines, tableSql } from '../src/lint/rule-helpers';

export default defineRule({
  meta: {
    id: 'adding-required-column',
    title: 'ADD COLUMN … NOT NULL without a default fails on a table with rows and breaks old inserts',
    category: 'scan',
    defaultSeverity: 'error',
    docs: 'docs/rules/adding-required-column.md',
  },
  examples: {
    bad: ['ALTER TABLE users ADD COLUMN tenant_id int NOT NULL'],
    good: ['ALTER TABLE users ADD COLUMN tenant_id int NOT NULL DEFAULT 0'],
  },
  messages: {
    required: 'Adding NOT NULL column {table}.{column} without a default fails as soon as {table} has a row',
  },
  actionKinds: ['add-column'],
  check(stmt) {
    return actionsOn(stmt, this.actionKinds)
      .filter((a) => a.failsIfRows)
      .map((a) => ({
        message: format(this.messages.required, { table: a.relation.name, column: a.column }),
        why: 'Existing rows would get NULL, so PostgreSQL rejects the statement (ERROR 23502) after checking the table under AccessExclusiveLock; and even on an empty table, clients deployed before the migration insert without the column and fail.',
        fix: lines(
          '-- Give it a default (instant on PostgreSQL 11+), or add it nullable, backfill, then enforce NOT NULL (see setting-not-null):',
          `ALTER TABLE ${tableSql(a)} ADD COLUMN ${ident(a.column)} ${a.newType?.display ?? '<type>'} NOT NULL DEFAULT <value>;`,
        ),
      }));
  },
});
