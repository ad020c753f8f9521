import { defineRule, format } from '../src/lint/rule';
import { actionsOn, lines, lockWhy } from '../src/lint/rule-helpers';

export default defineRule({
  meta: {
    id: 'attaching-partition',
    title: 'ATTACH PARTITION scans the table (and a default partition) under an ACCESS EXCLUSIVE lock',
    category: 'scan',
    defaultSeverity: 'error',
    docs: 'docs/rules/attaching-partition.md',
  },
  examples: {
    bad: ["ALTER TABLE events ATTACH PARTITION events_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"],
    good: [
      "ALTER TABLE events_2024 ADD CONSTRAINT events_2024_bound CHECK (day IS NOT NULL AND day >= '2024-01-01' AND day < '2025-01-01') NOT VALID;\nALTER TABLE events_2024 VALIDATE CONSTRAINT events_2024_bound;\nALTER TABLE events ATTACH PARTITION events_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
    ],
  },
  messages: {
    scan: 'Attaching {partition} checks every row of it against the partition bound while blocking all reads and writes of it',
    default: 'Attaching a partition to {parent} also checks every row of its default partition {partition} while blocking all reads and writes of it',
  },
  actionKinds: ['attach-partition'],
  check(stmt) {
    const attaches = actionsOn(stmt, this.actionKinds);
    const partitions = attaches
      .filter((a) => a.scan)
      .map((a) => ({
        message: format(this.messages.scan, { partition: a.relation.name }),
        severity: a.cannotProve ? ('warning' as const) : undefined,
        why: lockWhy(a, a.lock, `PostgreSQL reads the whole table to prove every row fits the bound.${a.cannotProve ? ` dbops cannot prove otherwise: it does not know ${a.cannotProve}.` : ''}`),
        fix: lines(
          '-- Prove the bound first with a CHECK validated without blocking writes; ATTACH then reads nothing:',
          `ALTER TABLE ${a.relation.name} ADD CONSTRAINT ${a.relation.name.split('.').pop()}_bound CHECK (<the bound as a condition on the key>) NOT VALID;`,
          `ALTER TABLE ${a.relation.name} VALIDATE CONSTRAINT ${a.relation.name.split('.').pop()}_bound;  -- ShareUpdateExclusiveLock: reads and writes continue`,
          `${stmt.text.trim()};`,
        ),
      }));
    const defaults = attaches.flatMap((a) =>
      (a.otherLocks ?? [])
        .filter((o) => o.scan && !o.isNew)
        .map((o) => ({
          message: format(this.messages.default, { parent: a.relation.name, partition: o.relation.name }),
          why: lockWhy(o, o.lock, 'No row of the default partition may belong to the new bound, so PostgreSQL reads it all while the lock is held.'),
          fix: lines(
            '-- Move the rows of the new range out of the default partition first (in batches), then prove they are gone with a CHECK on it:',
            `ALTER TABLE ${o.relation.name} ADD CONSTRAINT ${o.relation.name.split('.').pop()}_not_new CHECK (NOT (<the new bound as a condition>)) NOT VALID;`,
            `ALTER TABLE ${o.relation.name} VALIDATE CONSTRAINT ${o.relation.name.split('.').pop()}_not_new;`,
          ),
        })),
    );
    return [...partitions, ...defaults];
  },
});
