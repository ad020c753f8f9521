import { defineRule, format } from '../src/lint/rule';
import { actionsOn, lines, lockWhy } from '../src/lint/rule-helpers';

export default defineRule({
  meta: {
    id: 'setting-logged-unlogged',
    title: 'SET LOGGED / SET UNLOGGED rewrites the table under an ACCESS EXCLUSIVE lock',
    category: 'rewrite',
    defaultSeverity: 'error',
    docs: 'docs/rules/setting-logged-unlogged.md',
  },
  examples: {
    bad: ['ALTER TABLE users SET UNLOGGED'],
    good: ['CREATE UNLOGGED TABLE import_buffer (id int);\nALTER TABLE import_buffer SET LOGGED'],
  },
  messages: {
    logged: 'SET {mode} rewrites {table} while blocking all reads and writes',
  },
  actionKinds: ['set-logged', 'set-unlogged'],
  check(stmt) {
    return actionsOn(stmt, this.actionKinds).map((a) => {
      const mode = a.kind === 'set-logged' ? 'LOGGED' : 'UNLOGGED';
      return {
        message: format(this.messages.logged, { mode, table: a.relation.name }),
        why: lockWhy(
          a,
          a.lock,
          `The table is rewritten${mode === 'LOGGED' ? ' and all of it written to the WAL (a burst replicas must replay)' : ''} while the lock is held.${
            mode === 'UNLOGGED' ? ' An unlogged table is also emptied after a crash and is not replicated.' : ''
          }`,
        ),
        fix: lines(
          '-- Create a new table with the persistence you want, copy in batches, and swap names in a short transaction:',
          `CREATE ${mode === 'UNLOGGED' ? 'UNLOGGED ' : ''}TABLE ${a.relation.name}_new (LIKE ${a.relation.name} INCLUDING ALL);`,
          `-- copy rows in batches (INSERT … SELECT … WHERE id > <last id> ORDER BY id LIMIT 10000, repeated), keep new writes in sync,`,
          `-- then swap names in one short transaction with a lock_timeout`,
        ),
      };
    });
  },
});
