import type { OrmMigrationSql } from './types';

/** Event-loop turns a migration's unawaited work may take; the recorder answers every query at once, so a few suffice. */
const MAX_TURNS = 50;

/**
 * Runs a recorder until everything the migration started is done. A migration that neither
 * awaits nor returns its tool's promises (`queryInterface.addIndex(…)` on its own line, a
 * `.then()` chain) still sends those statements when its tool runs it, since the process lives
 * until they finish: they are recorded too, waiting turn by turn until no statement is added.
 * A promise of the migration that fails unawaited would end the whole process; it fails this
 * migration's evaluation instead.
 */
export async function recordUntilSettled(record: () => Promise<OrmMigrationSql>): Promise<OrmMigrationSql> {
  let unawaitedFailure: { error: unknown } | undefined;
  const onUnhandled = (error: unknown) => {
    unawaitedFailure ??= { error };
  };
  process.on('unhandledRejection', onUnhandled);
  try {
    const migration = await record();
    for (let turn = 0, seen = -1; turn < MAX_TURNS && seen !== migration.statements.length; turn++) {
      seen = migration.statements.length;
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (unawaitedFailure) throw unawaitedFailure.error;
    return migration;
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
}
