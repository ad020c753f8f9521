import { defineRule, format } from '../src/lint/rule';
import { actionsOn, ident, lines, lockWhy, tableSql } from '../src/lint/rule-helpers';

export default defineRule({
  meta: {
    id: 'constraint-without-not-valid',
    title: 'ADD CHECK / FOREIGN KEY without NOT VALID scans the table under a lock that blocks writes',
    category: 'scan',
    defaultSeverity: 'error',
    docs: 'docs/rules/constraint-without-not-valid.md',
  },
  examples: {
    bad: ['ALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id)', 'ALTER TABLE users ADD CONSTRAINT users_score_check CHECK (score >= 0)', 'ALTER TABLE users ADD COLUMN home_org int DEFAULT 1 REFERENCES orgs (id)'],
    good: ['ALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT users_org_fk', 'ALTER TABLE users ADD COLUMN home_org int REFERENCES orgs (id)'],
  },
  messages: {
    check: 'Adding CHECK constraint {name} on {table} checks every row while blocking all reads and writes',
    'foreign-key': 'Adding FOREIGN KEY {name} on {table} checks every row against {referenced} while blocking writes to both',
    inlineCheck: 'Adding {table}.{column} with an inline CHECK checks every row while blocking all reads and writes',
    'inlineForeign-key': 'Adding {table}.{column} with an inline REFERENCES checks every row against {referenced} while blocking writes to both',
  },
  actionKinds: ['add-constraint'],
  check(stmt) {
    return actionsOn(stmt, this.actionKinds)
      .filter((a) => a.scan && (a.constraint?.type === 'check' || a.constraint?.type === 'foreign-key'))
      .map((a) => {
        const c = a.constraint!;
        const name = c.name ?? `${a.relation.name.split('.').pop()}_${c.columns.join('_') || 'new'}_${c.type === 'check' ? 'check' : 'fkey'}`;
        const definition =
          c.type === 'check'
            ? 'CHECK (<condition>)'
            : `FOREIGN KEY (${c.columns.map(ident).join(', ')}) REFERENCES ${c.references ? c.references.name : '<table>'}${
                c.referencedColumns?.length ? ` (${c.referencedColumns.map(ident).join(', ')})` : ''
              }`;
        const key = c.name ? c.type : c.type === 'check' ? 'inlineCheck' : 'inlineForeign-key';
        return {
          message: format(this.messages[key], { name: c.name, table: a.relation.name, column: a.column, referenced: c.references?.name }),
          why: lockWhy(
            a,
            a.lock,
            c.type === 'foreign-key'
              ? `Validation reads every row (and looks each one up in ${c.references?.name}) while the lock is held on both tables.`
              : 'Validation reads every row while the lock is held.',
          ),
          fix: lines(
            c.inline ? `-- Add the column first, then the constraint separately:` : `-- Add it NOT VALID (instant), then validate without blocking writes:`,
            c.inline && `ALTER TABLE ${tableSql(a)} ADD COLUMN ${ident(a.column)} <type>;`,
            `ALTER TABLE ${tableSql(a)} ADD CONSTRAINT ${ident(name)} ${definition} NOT VALID;`,
            `ALTER TABLE ${tableSql(a)} VALIDATE CONSTRAINT ${ident(name)};  -- ShareUpdateExclusiveLock: reads and writes continue`,
          ),
        };
      });
  },
});
