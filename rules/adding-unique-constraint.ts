import { defineRule, format } from '../src/lint/rule';
import { actionsOn, ident, lines, lockWhy, tableSql } from '../src/lint/rule-helpers';

const KEYWORD = { unique: 'UNIQUE', 'primary-key': 'PRIMARY KEY', exclusion: 'EXCLUDE' } as const;

export default defineRule({
  meta: {
    id: 'adding-unique-constraint',
    title: 'ADD UNIQUE / PRIMARY KEY without USING INDEX builds the index under an ACCESS EXCLUSIVE lock',
    category: 'index-build',
    defaultSeverity: 'error',
    docs: 'docs/rules/adding-unique-constraint.md',
  },
  examples: {
    bad: ['ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email)'],
    good: ['CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);\nALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key'],
  },
  messages: {
    build: 'Adding {kind} {name} on {table} builds its index while blocking all reads and writes',
  },
  actionKinds: ['add-constraint'],
  check(stmt) {
    return actionsOn(stmt, this.actionKinds)
      .filter((a) => a.indexBuild && a.constraint && a.constraint.type in KEYWORD)
      .map((a) => {
        const c = a.constraint!;
        const kind = KEYWORD[c.type as keyof typeof KEYWORD];
        const base = a.relation.name.split('.').pop();
        const name = c.name ?? `${base}_${c.columns.join('_')}_${c.type === 'primary-key' ? 'pkey' : 'key'}`;
        const cols = c.columns.map(ident).join(', ') || '<columns>';
        return {
          message: format(this.messages.build, { kind, name: c.name ?? '(unnamed)', table: a.relation.name }),
          why: lockWhy(a, a.lock, 'The unique index is built inside the ALTER TABLE, reading every row while the lock is held.'),
          fix:
            c.type === 'exclusion'
              ? '-- Exclusion constraints cannot be added from an existing index: add them to a new (empty) table, or accept the lock in a maintenance window.'
              : lines(
                  `CREATE UNIQUE INDEX CONCURRENTLY ${ident(name)} ON ${tableSql(a)} (${cols});`,
                  `ALTER TABLE ${tableSql(a)} ADD CONSTRAINT ${ident(name)} ${kind} USING INDEX ${ident(name)};  -- instant`,
                  c.type === 'primary-key' && '-- the key columns must already be NOT NULL (see setting-not-null) or this step scans the table',
                ),
        };
      });
  },
});
