import { defineRule, format } from '../src/lint/rule';

export default defineRule({
  meta: {
    id: 'forbid-new-tables',
    title: 'Policy: no new tables on this cluster (off by default)',
    category: 'policy',
    defaultSeverity: 'off',
    docs: 'docs/rules/forbid-new-tables.md',
  },
  examples: {
    bad: ['CREATE TABLE audit_log (id bigint)'],
    good: ['ALTER TABLE users ADD COLUMN note text'],
  },
  messages: {
    create: 'Creating table {table}: this cluster does not accept new tables',
  },
  check(stmt, ctx) {
    const reason = typeof ctx.options.reason === 'string' ? ctx.options.reason : 'new tables belong on another cluster';
    return stmt.effects.actions
      .filter((a) => a.kind === 'create-table' && a.relation.kind === 'table')
      .map((a) => ({
        message: format(this.messages.create, { table: a.relation.name }),
        why: `Policy (lint.rules["forbid-new-tables"]): ${reason}.`,
        fix: '-- Create the table where your team\'s policy says new data lives, or ask for an exception with a dbops-ignore comment and a reason.',
      }));
  },
});
