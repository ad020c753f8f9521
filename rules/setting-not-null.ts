import { defineRule, format } from '../src/lint/rule';
import { actionsOn, ident, lines, lockWhy, tableSql } from '../src/lint/rule-helpers';

export default defineRule({
  meta: {
    id: 'setting-not-null',
    title: 'SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock',
    category: 'scan',
    defaultSeverity: 'error',
    docs: 'docs/rules/setting-not-null.md',
  },
  examples: {
    bad: ['ALTER TABLE users ALTER COLUMN email SET NOT NULL'],
    good: ['ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;\nALTER TABLE users ALTER COLUMN email SET NOT NULL'],
  },
  messages: {
    scan: 'SET NOT NULL on {table}.{column} scans every row while blocking all reads and writes',
  },
  actionKinds: ['set-not-null', 'add-constraint'],
  check(stmt) {
    return actionsOn(stmt, this.actionKinds)
      .filter((a) => a.scan && (a.kind === 'set-not-null' || a.constraint?.type === 'not-null'))
      .map((a) => {
        const col = ident(a.column);
        const check = ident(`${a.relation.name.split('.').pop()}_${a.column}_not_null`);
        const v12 = stmt.before.pgVersion >= 12;
        return {
          message: format(this.messages.scan, { table: a.relation.name, column: a.column }),
          why: lockWhy(a, a.lock, 'PostgreSQL reads the whole table to prove there is no NULL before it releases the lock.'),
          fix: v12
            ? lines(
                `-- PostgreSQL 12+: prove it with a CHECK first; SET NOT NULL then skips the scan.`,
                `ALTER TABLE ${tableSql(a)} ADD CONSTRAINT ${check} CHECK (${col} IS NOT NULL) NOT VALID;`,
                `ALTER TABLE ${tableSql(a)} VALIDATE CONSTRAINT ${check};  -- scans without blocking writes`,
                `ALTER TABLE ${tableSql(a)} ALTER COLUMN ${col} SET NOT NULL;  -- no scan`,
                `ALTER TABLE ${tableSql(a)} DROP CONSTRAINT ${check};`,
              )
            : lines(
                `-- Before PostgreSQL 12 SET NOT NULL always scans; enforce it with a validated CHECK instead:`,
                `ALTER TABLE ${tableSql(a)} ADD CONSTRAINT ${check} CHECK (${col} IS NOT NULL) NOT VALID;`,
                `ALTER TABLE ${tableSql(a)} VALIDATE CONSTRAINT ${check};`,
              ),
        };
      });
  },
});
