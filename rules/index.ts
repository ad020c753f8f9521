/** Every rule, one line each. Adding a rule: a file here, a docs page, tests, and a line below. */
import type { Rule } from '../src/lint/rule';
import addingColumnRewrite from './adding-column-rewrite';
import addingRequiredColumn from './adding-required-column';
import addingUniqueConstraint from './adding-unique-constraint';
import attachingPartition from './attaching-partition';
import changingColumnType from './changing-column-type';
import clusterTable from './cluster-table';
import concurrentlyInTransaction from './concurrently-in-transaction';
import constraintWithoutNotValid from './constraint-without-not-valid';
import creatingIndexNonConcurrently from './creating-index-non-concurrently';
import droppingColumn from './dropping-column';
import droppingIndexNonConcurrently from './dropping-index-non-concurrently';
import droppingTable from './dropping-table';
import forbidNewTables from './forbid-new-tables';
import lockTable from './lock-table';
import lockTimeout from './lock-timeout';
import multipleStrongLocks from './multiple-strong-locks';
import refreshingMaterializedView from './refreshing-materialized-view';
import reindexingNonConcurrently from './reindexing-non-concurrently';
import renamingColumn from './renaming-column';
import requiresNewerPostgres from './requires-newer-postgres';
import renamingTable from './renaming-table';
import settingLoggedUnlogged from './setting-logged-unlogged';
import settingNotNull from './setting-not-null';
import settingTablespace from './setting-tablespace';
import truncatingTable from './truncating-table';
import unbatchedUpdateDelete from './unbatched-update-delete';
import vacuumFull from './vacuum-full';

export const RULES: Rule[] = [
  changingColumnType,
  addingColumnRewrite,
  addingRequiredColumn,
  settingNotNull,
  constraintWithoutNotValid,
  addingUniqueConstraint,
  attachingPartition,
  creatingIndexNonConcurrently,
  droppingIndexNonConcurrently,
  reindexingNonConcurrently,
  concurrentlyInTransaction,
  vacuumFull,
  clusterTable,
  settingTablespace,
  settingLoggedUnlogged,
  refreshingMaterializedView,
  truncatingTable,
  lockTable,
  lockTimeout,
  multipleStrongLocks,
  renamingColumn,
  renamingTable,
  droppingColumn,
  droppingTable,
  unbatchedUpdateDelete,
  requiresNewerPostgres,
  forbidNewTables,
];
