/**
 * What the analyzer knows from the statements it has already seen in this run: relations that
 * exist and those created (new and empty), column types and NOT NULL-ness, index and constraint
 * names, indexed columns and the tables of indexes, CHECK constraints and whether they are
 * validated, foreign keys, partitioned tables (key, default partition), tablespaces, domains and
 * other user types, materialized-view sources, names given up by renames; and, per file, session
 * settings (timeouts, TimeZone) and the transaction block the next statement runs in.
 */
import type { Action, ColumnType, ContextSnapshot, HeldLock, RelationRef } from './types';

export interface ColumnFacts {
  type: ColumnType;
  notNull: boolean;
}

export interface NotNullCheck {
  column: string;
  valid: boolean;
}

export interface ForeignKey {
  table: RelationRef;
  columns: string[];
  references: RelationRef;
  /** Added NOT VALID and not validated since: false. */
  valid?: boolean;
}

/** A CHECK constraint as written: ATTACH PARTITION can skip its scan when one implies the bound. */
export interface CheckConstraint {
  /** The parser's expression tree. */
  expr: unknown;
  valid: boolean;
}

export interface PartitionKey {
  strategy: 'list' | 'range' | 'hash';
  /** The key columns; an expression key is left out (its bound cannot be matched). */
  columns: string[];
}

/** CREATE DOMAIN: changing a column to it rewrites as the base type does, and re-checks its constraints. */
/** How an index uses a column: as a key column, or inside an expression or the WHERE predicate. */
export type IndexUse = 'plain' | 'expression';

export interface DomainFacts {
  base: ColumnType;
  constrained: boolean;
}

/** A session setting as text: null when it is the server's default and that is not known. */
export interface TextSetting {
  session: string | null;
  local?: string | null;
}

export interface TimeoutSetting {
  /** The session value; null: never set in this file, or reset to the server default. */
  session: number | null;
  /** A SET LOCAL value, in force until the transaction ends. */
  local?: number | null;
}

/** What the server will use for the next statement; null or 0 means "wait forever". */
export function effectiveTimeout(t: TimeoutSetting): number | null {
  return t.local !== undefined ? t.local : t.session;
}

export interface TransactionState {
  /** Inside BEGIN … COMMIT (or a DO block, or a file the runner wraps in one transaction). */
  open: boolean;
  /** Strong locks on existing relations taken by earlier statements of this transaction. */
  strongLocks: HeldLock[];
}

/** The name a foreign key is known by: PostgreSQL names an unnamed one <table>_<first column>_fkey. */
export function foreignKeyName(rel: RelationRef, name: string | undefined, fk: ForeignKey): string {
  return name ?? `${rel.key.split('.').pop()}_${fk.columns[0] ?? ''}_fkey`;
}

/** What a rule needs to know about the moment a statement runs. */
export class AnalysisContext {
  readonly pgVersion: number;
  /** Relations created earlier in the run, by key. */
  private readonly newRelations = new Set<string>();
  /** Column facts by table key, learned from CREATE TABLE / ADD COLUMN / ALTER COLUMN TYPE. */
  private readonly columns = new Map<string, Map<string, ColumnFacts>>();
  /** CHECK constraints that prove a column non-null: table key → constraint name → check. */
  private readonly notNullChecks = new Map<string, Map<string, NotNullCheck>>();
  /** The table an index was created on in this run (DROP INDEX locks that table). */
  private readonly indexTables = new Map<string, RelationRef>();
  /**
   * Foreign keys by table key and constraint name: VALIDATE reads the referenced table, and
   * dropping the key (its table, constraint or column) locks the referenced table ACCESS EXCLUSIVE.
   */
  private readonly foreignKeys = new Map<string, Map<string, ForeignKey>>();
  /** Names a RENAME in this file gave up (table key, or table key + column), with the rename. */
  private readonly freedNames = new Map<string, Action>();
  /** Tables known to be partitioned (true) or plain (false), by key. */
  private readonly partitioned = new Map<string, boolean>();
  /**
   * Columns some index covers, by table key, and how: a type change without a rewrite keeps a
   * plain index whose operator class still fits, but always builds again an index that uses the
   * column in an expression or its WHERE predicate (PostgreSQL does not compare those).
   */
  private readonly indexedColumns = new Map<string, Map<string, IndexUse>>();
  /** The tables a materialized view reads, by view key: REFRESH reads them again. */
  private readonly viewSources = new Map<string, RelationRef[]>();
  /** The views of viewSources as written (name and kind), by key. */
  private readonly viewRefs = new Map<string, RelationRef>();
  /** Relations known to exist (created in the schema, the history or this run), by key. */
  private readonly existing = new Set<string>();
  /** Constraint names by table key (unique and primary keys also name their index). */
  private readonly constraintNames = new Map<string, Set<string>>();
  /** Every CHECK constraint by table key and name. */
  private readonly checks = new Map<string, Map<string, CheckConstraint>>();
  private readonly partitionKeys = new Map<string, PartitionKey>();
  /** Partitions and inheritance children, by parent key: ALTER TABLE on the parent reaches them too. */
  private readonly children = new Map<string, RelationRef[]>();
  /** The DEFAULT partition of a partitioned table, by parent key. */
  private readonly defaultPartitions = new Map<string, RelationRef>();
  /** The tablespace a known relation is in; null: the database's default. */
  private readonly tablespaces = new Map<string, string | null>();
  private readonly domains = new Map<string, DomainFacts>();
  /** Enum, composite and range types created by CREATE TYPE: known, not domains. */
  private readonly userTypes = new Set<string>();
  lockTimeout: TimeoutSetting = { session: null };
  statementTimeout: TimeoutSetting = { session: null };
  /** SET default_tablespace in this file: where CREATE TABLE/INDEX without TABLESPACE put the relation. */
  defaultTablespace: string | null = null;
  /** TimeZone of the session: decides whether timestamp → timestamptz rewrites. */
  timeZone: TextSetting;
  /** The server's TimeZone when configured (lint.serverTimeZone), else null: not known. */
  readonly serverTimeZone: string | null;
  transaction: TransactionState = { open: false, strongLocks: [] };
  /** The runner wraps each file in one transaction (most migration tools do). */
  readonly fileTransaction: boolean;

  constructor(pgVersion: number, opts: { fileTransaction?: boolean; serverTimeZone?: string } = {}) {
    this.pgVersion = pgVersion;
    this.fileTransaction = opts.fileTransaction ?? false;
    this.serverTimeZone = opts.serverTimeZone ?? null;
    this.timeZone = { session: this.serverTimeZone };
  }

  /**
   * A new file starts a new session as far as settings and transactions go (runners, dbops
   * migrate included, may run each file on its own connection, so each file must be safe on its
   * own); what the run created stays known.
   */
  startFile(): void {
    this.freedNames.clear();
    this.lockTimeout = { session: null };
    this.statementTimeout = { session: null };
    this.timeZone = { session: this.serverTimeZone };
    this.defaultTablespace = null;
    this.transaction = { open: this.fileTransaction, strongLocks: [] };
  }

  beginTransaction(): void {
    this.transaction = { open: true, strongLocks: [] };
  }

  /** COMMIT or ROLLBACK: SET LOCAL values end with the transaction. */
  endTransaction(): void {
    this.transaction = { open: false, strongLocks: [] };
    this.lockTimeout = { session: this.lockTimeout.session };
    this.statementTimeout = { session: this.statementTimeout.session };
    this.timeZone = { session: this.timeZone.session };
  }

  /** The TimeZone the next statement runs with; null when it is not known. */
  effectiveTimeZone(): string | null {
    return this.timeZone.local !== undefined ? this.timeZone.local : this.timeZone.session;
  }

  snapshot(): ContextSnapshot {
    return {
      pgVersion: this.pgVersion,
      lockTimeoutMs: effectiveTimeout(this.lockTimeout),
      statementTimeoutMs: effectiveTimeout(this.statementTimeout),
      inTransaction: this.transaction.open,
      heldStrongLocks: [...this.transaction.strongLocks],
    };
  }

  /** Remembers the strong locks a statement took, when they are held until a later COMMIT. */
  holdLocks(locks: HeldLock[]): void {
    if (!this.transaction.open) return;
    for (const l of locks) if (!this.transaction.strongLocks.some((h) => h.relation.key === l.relation.key)) this.transaction.strongLocks.push(l);
  }

  /**
   * After learning an existing schema (CREATE TABLE statements describing what is already in
   * production, or the live catalog), its tables are existing, not new.
   */
  treatAllAsExisting(): void {
    this.newRelations.clear();
  }

  isNew(rel: RelationRef): boolean {
    return this.newRelations.has(rel.key);
  }

  markNew(rel: RelationRef): void {
    this.newRelations.add(rel.key);
    this.existing.add(rel.key);
  }

  /** The relation exists as far as the schema, the history and this run tell. */
  exists(rel: RelationRef): boolean {
    return this.existing.has(rel.key);
  }

  /** A relation created (or described by the existing schema), in a tablespace (null: the default). */
  relationCreated(rel: RelationRef, tablespace: string | null = null): void {
    this.existing.add(rel.key);
    this.tablespaces.set(rel.key, tablespace);
  }

  /** undefined: the relation is not known, so neither is its tablespace. */
  tablespaceOf(rel: RelationRef): string | null | undefined {
    return this.tablespaces.has(rel.key) ? this.tablespaces.get(rel.key) : undefined;
  }

  setTablespace(rel: RelationRef, tablespace: string): void {
    if (this.existing.has(rel.key)) this.tablespaces.set(rel.key, tablespace);
  }

  indexCreated(index: RelationRef, table: RelationRef, tablespace: string | null = null): void {
    this.indexTables.set(index.key, table);
    this.relationCreated(index, tablespace);
  }

  addConstraintName(rel: RelationRef, name: string): void {
    let names = this.constraintNames.get(rel.key);
    if (!names) this.constraintNames.set(rel.key, (names = new Set()));
    names.add(name);
  }

  hasConstraint(rel: RelationRef, name: string): boolean {
    return this.constraintNames.get(rel.key)?.has(name) ?? false;
  }

  addCheck(rel: RelationRef, name: string, check: CheckConstraint): void {
    let checks = this.checks.get(rel.key);
    if (!checks) this.checks.set(rel.key, (checks = new Map()));
    checks.set(name, check);
    this.addConstraintName(rel, name);
  }

  checksOf(rel: RelationRef): CheckConstraint[] {
    return [...(this.checks.get(rel.key)?.values() ?? [])];
  }

  setPartitionKey(rel: RelationRef, key: PartitionKey): void {
    this.partitionKeys.set(rel.key, key);
  }

  partitionKeyOf(rel: RelationRef): PartitionKey | undefined {
    return this.partitionKeys.get(rel.key);
  }

  setDefaultPartition(parent: RelationRef, partition: RelationRef): void {
    this.defaultPartitions.set(parent.key, partition);
  }

  defaultPartitionOf(parent: RelationRef): RelationRef | undefined {
    return this.defaultPartitions.get(parent.key);
  }

  addDomain(name: string, facts: DomainFacts): void {
    this.domains.set(name, facts);
  }

  domain(name: string): DomainFacts | undefined {
    return this.domains.get(name);
  }

  addUserType(name: string): void {
    this.userTypes.add(name);
  }

  /** ALTER TYPE/DOMAIN … RENAME: the type stays known under its new name. */
  renameUserType(from: string, to: string): void {
    const domain = this.domains.get(from);
    if (domain) {
      this.domains.delete(from);
      this.domains.set(to, domain);
    } else if (this.userTypes.delete(from)) this.userTypes.add(to);
  }

  isUserType(name: string): boolean {
    return this.userTypes.has(name) || this.domains.has(name);
  }

  tableOfIndex(index: RelationRef): RelationRef | undefined {
    return this.indexTables.get(index.key);
  }

  /** Unnamed keys get PostgreSQL's default name, <table>_<first column>_fkey. */
  addForeignKey(rel: RelationRef, name: string | undefined, fk: ForeignKey): void {
    let fks = this.foreignKeys.get(rel.key);
    if (!fks) this.foreignKeys.set(rel.key, (fks = new Map()));
    fks.set(foreignKeyName(rel, name, fk), fk);
  }

  /** The foreign keys a table has (optionally only those on a column). */
  foreignKeysOf(rel: RelationRef, column?: string): ForeignKey[] {
    return [...(this.foreignKeys.get(rel.key)?.values() ?? [])].filter((fk) => column === undefined || fk.columns.includes(column));
  }

  /** Tables with a foreign key to this one. */
  referencing(rel: RelationRef): RelationRef[] {
    const out: RelationRef[] = [];
    for (const [tableKey, fks] of this.foreignKeys) {
      const fk = [...fks.values()].find((f) => f.references.key === rel.key);
      if (fk && tableKey !== rel.key) out.push(fk.table);
    }
    return out;
  }

  foreignKey(rel: RelationRef, name: string): ForeignKey | undefined {
    return this.foreignKeys.get(rel.key)?.get(name);
  }

  setViewSources(view: RelationRef, sources: RelationRef[]): void {
    this.viewSources.set(view.key, sources);
    this.viewRefs.set(view.key, view);
  }

  /** Views and materialized views whose query reads `rel` (DROP … CASCADE drops them with it). */
  viewsReading(rel: RelationRef): RelationRef[] {
    const out: RelationRef[] = [];
    for (const [view, sources] of this.viewSources) {
      const ref = sources.some((r) => r.key === rel.key) ? this.viewRefs.get(view) : undefined;
      if (ref) out.push(ref);
    }
    return out;
  }

  sourcesOf(view: RelationRef): RelationRef[] {
    return this.viewSources.get(view.key) ?? [];
  }

  /** Remembers the old name a rename gave up, so a later reuse of it can mark the rename as a swap. */
  nameFreed(name: string, rename: Action): void {
    this.freedNames.set(name, rename);
  }

  /**
   * A statement gives `name` to a column or relation: if a rename of this file freed it, that
   * rename was the first half of a swap. Returns whether it was.
   */
  nameTaken(name: string): boolean {
    const rename = this.freedNames.get(name);
    if (rename) rename.oldNameReused = true;
    this.freedNames.delete(name);
    return rename !== undefined;
  }

  setPartitioned(rel: RelationRef, partitioned: boolean): void {
    this.partitioned.set(rel.key, partitioned);
  }

  /** undefined when the table was never seen. */
  isPartitioned(rel: RelationRef): boolean | undefined {
    return this.partitioned.get(rel.key);
  }

  addIndexedColumns(rel: RelationRef, columns: string[], use: IndexUse = 'plain'): void {
    let cols = this.indexedColumns.get(rel.key);
    if (!cols) this.indexedColumns.set(rel.key, (cols = new Map()));
    // An expression use is the one that decides: that index is built again whatever the type.
    for (const c of columns) if (cols.get(c) !== 'expression') cols.set(c, use);
  }

  /** Some index is known on the relation (an expression index counts through the columns it uses). */
  hasIndex(rel: RelationRef): boolean {
    if ((this.indexedColumns.get(rel.key)?.size ?? 0) > 0) return true;
    for (const table of this.indexTables.values()) if (table.key === rel.key) return true;
    return false;
  }

  isIndexed(rel: RelationRef, column: string): boolean {
    return this.indexedColumns.get(rel.key)?.has(column) ?? false;
  }

  /** How indexes use the column: 'expression' when some index has it in an expression or its predicate. */
  indexUse(rel: RelationRef, column: string): IndexUse | undefined {
    return this.indexedColumns.get(rel.key)?.get(column);
  }

  forget(rel: RelationRef): void {
    this.indexTables.delete(rel.key);
    this.indexedColumns.delete(rel.key);
    this.foreignKeys.delete(rel.key);
    this.viewSources.delete(rel.key);
    this.viewRefs.delete(rel.key);
    this.partitioned.delete(rel.key);
    this.newRelations.delete(rel.key);
    this.columns.delete(rel.key);
    this.notNullChecks.delete(rel.key);
    this.existing.delete(rel.key);
    this.tablespaces.delete(rel.key);
    this.constraintNames.delete(rel.key);
    this.checks.delete(rel.key);
    this.partitionKeys.delete(rel.key);
    this.defaultPartitions.delete(rel.key);
    this.children.delete(rel.key);
    for (const [parent, list] of this.children) if (list.some((c) => c.key === rel.key)) this.children.set(parent, list.filter((c) => c.key !== rel.key));
    for (const [parent, partition] of this.defaultPartitions) if (partition.key === rel.key) this.defaultPartitions.delete(parent);
  }

  /**
   * A relation gets a new name: what is known about it moves to the new key, and every reference
   * to it held elsewhere (foreign keys of other tables, an index's table, a view's sources, a
   * default partition) names it by the new one, so the locks it takes later are predicted on it.
   */
  renameRelation(from: RelationRef, to: RelationRef): void {
    const toKey = to.key;
    if (this.newRelations.delete(from.key)) this.newRelations.add(toKey);
    if (this.existing.delete(from.key)) this.existing.add(toKey);
    const maps: Array<Map<string, unknown>> = [
      this.tablespaces,
      this.constraintNames,
      this.checks,
      this.partitionKeys,
      this.indexTables,
      this.columns,
      this.indexedColumns,
      this.notNullChecks,
      this.foreignKeys,
      this.partitioned,
      this.viewSources,
      this.viewRefs,
      this.defaultPartitions,
      this.children,
    ];
    for (const map of maps) {
      if (map.has(from.key)) {
        map.set(toKey, map.get(from.key));
        map.delete(from.key);
      }
    }
    const renamed = (ref: RelationRef): RelationRef => (ref.key === from.key ? { ...ref, key: toKey, name: to.name } : ref);
    for (const fks of this.foreignKeys.values()) {
      for (const [name, fk] of fks) {
        if (fk.table.key === from.key || fk.references.key === from.key) fks.set(name, { ...fk, table: renamed(fk.table), references: renamed(fk.references) });
      }
    }
    for (const [index, table] of this.indexTables) if (table.key === from.key) this.indexTables.set(index, renamed(table));
    for (const [view, sources] of this.viewSources) if (sources.some((r) => r.key === from.key)) this.viewSources.set(view, sources.map(renamed));
    const viewRef = this.viewRefs.get(toKey);
    if (viewRef) this.viewRefs.set(toKey, renamed(viewRef));
    for (const [parent, partition] of this.defaultPartitions) if (partition.key === from.key) this.defaultPartitions.set(parent, renamed(partition));
    for (const [parent, list] of this.children) if (list.some((c) => c.key === from.key)) this.children.set(parent, list.map(renamed));
  }


  column(rel: RelationRef, column: string): ColumnFacts | undefined {
    return this.columns.get(rel.key)?.get(column);
  }

  setColumn(rel: RelationRef, column: string, facts: ColumnFacts): void {
    let cols = this.columns.get(rel.key);
    if (!cols) this.columns.set(rel.key, (cols = new Map()));
    cols.set(column, facts);
  }

  dropColumn(rel: RelationRef, column: string): void {
    this.columns.get(rel.key)?.delete(column);
  }

  renameColumn(rel: RelationRef, from: string, to: string): void {
    const cols = this.columns.get(rel.key);
    const facts = cols?.get(from);
    if (cols && facts) {
      cols.delete(from);
      cols.set(to, facts);
    }
    for (const check of this.notNullChecks.get(rel.key)?.values() ?? []) if (check.column === from) check.column = to;
    const indexed = this.indexedColumns.get(rel.key);
    const use = indexed?.get(from);
    if (indexed && use) {
      indexed.delete(from);
      indexed.set(to, use);
    }
    const fks = this.foreignKeys.get(rel.key);
    for (const [name, fk] of fks ?? []) if (fk.columns.includes(from)) fks!.set(name, { ...fk, columns: fk.columns.map((c) => (c === from ? to : c)) });
  }

  /** ALTER TYPE … RENAME: columns of that type now carry the new name (Prisma's enum swap relies on it). */
  renameType(from: string, to: string): void {
    for (const cols of this.columns.values()) {
      for (const [name, facts] of cols) {
        if (facts.type.name === from) cols.set(name, { ...facts, type: { ...facts.type, name: to, display: facts.type.display.replace(from, to) } });
      }
    }
  }

  addNotNullCheck(rel: RelationRef, name: string, check: NotNullCheck): void {
    let checks = this.notNullChecks.get(rel.key);
    if (!checks) this.notNullChecks.set(rel.key, (checks = new Map()));
    checks.set(name, check);
  }

  /** The column a CHECK (col IS NOT NULL) constraint is about. */
  notNullCheckColumn(rel: RelationRef, name: string): string | undefined {
    return this.notNullChecks.get(rel.key)?.get(name)?.column;
  }

  validateConstraint(rel: RelationRef, name: string): void {
    const check = this.notNullChecks.get(rel.key)?.get(name);
    if (check) check.valid = true;
    const any = this.checks.get(rel.key)?.get(name);
    if (any) any.valid = true;
    const fks = this.foreignKeys.get(rel.key);
    const fk = fks?.get(name);
    if (fks && fk) fks.set(name, { ...fk, valid: true });
  }

  /** Whether a CHECK, NOT NULL check or foreign key is known to be valid (undefined: not known here). */
  constraintValid(rel: RelationRef, name: string): boolean | undefined {
    return this.checks.get(rel.key)?.get(name)?.valid ?? this.notNullChecks.get(rel.key)?.get(name)?.valid ?? this.foreignKeys.get(rel.key)?.get(name)?.valid;
  }

  /** A partition (PARTITION OF, ATTACH) or an inheritance child (INHERITS, INHERIT) of `parent`. */
  addChild(parent: RelationRef, child: RelationRef): void {
    const list = this.children.get(parent.key) ?? [];
    if (!list.some((c) => c.key === child.key)) list.push(child);
    this.children.set(parent.key, list);
  }

  removeChild(parent: RelationRef, child: RelationRef): void {
    const list = this.children.get(parent.key)?.filter((c) => c.key !== child.key);
    if (list) this.children.set(parent.key, list);
  }

  /** Every partition and inheritance child below `parent`, at any depth, each once. */
  descendantsOf(parent: RelationRef): RelationRef[] {
    const out: RelationRef[] = [];
    const seen = new Set([parent.key]);
    const todo = [...(this.children.get(parent.key) ?? [])];
    while (todo.length > 0) {
      const child = todo.shift()!;
      if (seen.has(child.key)) continue;
      seen.add(child.key);
      out.push(child);
      todo.push(...(this.children.get(child.key) ?? []));
    }
    return out;
  }

  /** A partition or child table has its parent's columns: what is known of them carries over. */
  inheritColumns(parent: RelationRef, child: RelationRef): void {
    const from = this.columns.get(parent.key);
    if (!from) return;
    const to = this.columns.get(child.key) ?? new Map<string, ColumnFacts>();
    for (const [name, facts] of from) if (!to.has(name)) to.set(name, { ...facts });
    this.columns.set(child.key, to);
  }

  /** ALTER TABLE … RENAME CONSTRAINT: a later VALIDATE or DROP names the constraint by its new name. */
  renameConstraint(rel: RelationRef, from: string, to: string): void {
    const names = this.constraintNames.get(rel.key);
    if (names?.delete(from)) names.add(to);
    const byName: Array<Map<string, unknown> | undefined> = [this.checks.get(rel.key), this.notNullChecks.get(rel.key), this.foreignKeys.get(rel.key)];
    for (const map of byName) {
      if (map?.has(from)) {
        map.set(to, map.get(from));
        map.delete(from);
      }
    }
  }

  dropConstraint(rel: RelationRef, name: string): void {
    this.notNullChecks.get(rel.key)?.delete(name);
    this.checks.get(rel.key)?.delete(name);
    this.constraintNames.get(rel.key)?.delete(name);
    this.foreignKeys.get(rel.key)?.delete(name);
  }

  /** A validated CHECK (col IS NOT NULL) lets SET NOT NULL skip its scan on PostgreSQL 12+. */
  hasValidNotNullCheck(rel: RelationRef, column: string): boolean {
    for (const check of this.notNullChecks.get(rel.key)?.values() ?? []) if (check.valid && check.column === column) return true;
    return false;
  }
}
