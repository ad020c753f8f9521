/**
 * What the analysis of one file read from and wrote to the cross-file part of an AnalysisContext,
 * as keys, and the calls that changed it, as plain data: the parallel lint (src/lint/parallel.ts)
 * analyses later files on another thread against a context that lacks the earlier files, then
 * keeps a file's result only if it read nothing those files wrote, and replays its calls on the
 * real context instead of analysing it again.
 *
 * A key names one fact (`f`: a table's column, constraint, …), everything of one table in a
 * namespace (`t`), or a whole namespace (`n`). Per-file state (settings, the transaction, names a
 * rename gave up) is reset by startFile and never crosses files, so it is not journaled.
 */
import { AnalysisContext, foreignKeyName, type CheckConstraint, type ColumnFacts, type DomainFacts, type ForeignKey, type NotNullCheck, type PartitionKey } from './context';
import type { RelationRef } from './types';

/** Key syntax: namespace SEP table SEP sub for a fact; WHOLE ends a key that means all of a table or namespace; TOUCHED marks that something in one changed. */
const SEP = '\u001f';
const WHOLE = '\u001e';
const TOUCHED = '\u001d';

/** One fact: what `ns` knows about `table` (and `sub` in it: a column, a constraint name). */
const fact = (ns: Namespace, table: string, sub = ''): string => `${ns}${SEP}${table}${SEP}${sub}`;
/** Everything `ns` knows about `table`. */
const table = (ns: Namespace, key: string): string => `${ns}${SEP}${key}${WHOLE}`;
/** Everything `ns` knows. */
const all = (ns: Namespace): string => `${ns}${WHOLE}`;

/** One per private map of AnalysisContext, plus two derived views (idxon, fkref) that let the scans behind hasIndex and referencing be keyed by table. */
const NAMESPACES = [
  'new',
  'exists',
  'ts',
  'col',
  'nnc',
  'nncol',
  'idxt',
  'idxon',
  'idxc',
  'fk',
  'fkcol',
  'fkref',
  'part',
  'pkey',
  'defpart',
  'kids',
  'view',
  'cname',
  'check',
  'domain',
  'utype',
] as const;
type Namespace = (typeof NAMESPACES)[number];
/** Keys of the 'new' namespace (no other namespace name starts with it). */
const NEW_PREFIX = 'new';
const TABLE_NAMESPACES = NAMESPACES.filter((ns) => ns !== 'domain' && ns !== 'utype');

interface Touch {
  reads?: string[];
  writes?: string[];
}

type MethodName = { [K in keyof AnalysisContext]: AnalysisContext[K] extends (...args: never[]) => unknown ? K : never }[keyof AnalysisContext];
type Classifier<K extends MethodName> = AnalysisContext[K] extends (...args: infer A) => unknown ? (ctx: AnalysisContext, ...args: A) => Touch : never;

/** Classifiers of methods that only read: the thread with the real context does not wrap them (it needs no reads). */
const readers = new WeakSet<object>();
function reader<A extends unknown[]>(classify: (ctx: AnalysisContext, ...args: A) => Touch): (ctx: AnalysisContext, ...args: A) => Touch {
  readers.add(classify);
  return classify;
}

/**
 * Every method, classified: 'file' for per-file state (not journaled), else the keys a call reads
 * and writes. A method that writes is a call the real context replays. The type makes a new
 * method of AnalysisContext a compile error until it is classified here.
 */
const METHODS: { [K in MethodName]: 'file' | Classifier<K> } = {
  startFile: 'file',
  beginTransaction: 'file',
  endTransaction: 'file',
  effectiveTimeZone: 'file',
  snapshot: 'file',
  holdLocks: 'file',
  nameFreed: 'file',
  nameTaken: 'file',
  // Called by the file loop on every thread, never by the analysis; src/lint/parallel.ts clears the 'new' keys when it runs.
  treatAllAsExisting: 'file',
  isNew: reader((_: AnalysisContext, rel: RelationRef) => ({ reads: [fact('new', rel.key)] })),
  markNew: (_, rel: RelationRef) => ({ writes: [fact('new', rel.key), fact('exists', rel.key)] }),
  exists: reader((_: AnalysisContext, rel: RelationRef) => ({ reads: [fact('exists', rel.key)] })),
  relationCreated: (_, rel: RelationRef) => ({ writes: [fact('exists', rel.key), fact('ts', rel.key)] }),
  tablespaceOf: reader((_: AnalysisContext, rel: RelationRef) => ({ reads: [fact('ts', rel.key)] })),
  setTablespace: (_, rel: RelationRef) => ({ reads: [fact('exists', rel.key)], writes: [fact('ts', rel.key)] }),
  indexCreated: (_, index: RelationRef, on: RelationRef) => ({ writes: [fact('idxt', index.key), fact('idxon', on.key)] }),
  addConstraintName: (_, rel: RelationRef, name: string) => ({ writes: [fact('cname', rel.key, name)] }),
  constraintValid: reader((_: AnalysisContext, rel: RelationRef, name: string) => ({ reads: [fact('check', rel.key, name), fact('nnc', rel.key, name), fact('fk', rel.key, name)] })),
  viewsReading: reader(() => ({ reads: [all('view')] })),
  renameConstraint: (_, rel: RelationRef, from: string, to: string) => {
    const keys = (['cname', 'check', 'nnc', 'fk'] as const).flatMap((ns) => [fact(ns, rel.key, from), fact(ns, rel.key, to)]);
    return { reads: keys, writes: keys };
  },
  hasConstraint: reader((_: AnalysisContext, rel: RelationRef, name: string) => ({ reads: [fact('cname', rel.key, name)] })),
  addCheck: (_, rel: RelationRef, name: string, _check: CheckConstraint) => ({ writes: [fact('check', rel.key, name)] }),
  checksOf: reader((_: AnalysisContext, rel: RelationRef) => ({ reads: [table('check', rel.key)] })),
  setPartitionKey: (_, rel: RelationRef, _key: PartitionKey) => ({ writes: [fact('pkey', rel.key)] }),
  partitionKeyOf: reader((_: AnalysisContext, rel: RelationRef) => ({ reads: [fact('pkey', rel.key)] })),
  setDefaultPartition: (_, parent: RelationRef) => ({ writes: [fact('defpart', parent.key)] }),
  addChild: (_, parent: RelationRef, child: RelationRef) => ({ writes: [fact('kids', parent.key, child.key)] }),
  removeChild: (_, parent: RelationRef, child: RelationRef) => ({ writes: [fact('kids', parent.key, child.key)] }),
  descendantsOf: reader(() => ({ reads: [all('kids')] })),
  inheritColumns: (_, parent: RelationRef, child: RelationRef) => ({ reads: [table('col', parent.key)], writes: [table('col', child.key)] }),
  defaultPartitionOf: reader((_: AnalysisContext, parent: RelationRef) => ({ reads: [fact('defpart', parent.key)] })),
  addDomain: (_, name: string, _facts: DomainFacts) => ({ writes: [fact('domain', '', name)] }),
  domain: reader((_: AnalysisContext, name: string) => ({ reads: [fact('domain', '', name)] })),
  addUserType: (_, name: string) => ({ writes: [fact('utype', '', name)] }),
  renameUserType: (_, from: string, to: string) => {
    const keys = [fact('domain', '', from), fact('domain', '', to), fact('utype', '', from), fact('utype', '', to)];
    return { reads: keys, writes: keys };
  },
  isUserType: reader((_: AnalysisContext, name: string) => ({ reads: [fact('utype', '', name), fact('domain', '', name)] })),
  tableOfIndex: reader((_: AnalysisContext, index: RelationRef) => ({ reads: [fact('idxt', index.key)] })),
  addForeignKey: (_, rel: RelationRef, name: string | undefined, fk: ForeignKey) => ({
    writes: [fact('fk', rel.key, foreignKeyName(rel, name, fk)), ...fk.columns.map((c) => fact('fkcol', rel.key, c)), fact('fkref', fk.references.key)],
  }),
  foreignKeysOf: reader((_: AnalysisContext, rel: RelationRef, column?: string) => ({ reads: [column === undefined ? table('fk', rel.key) : fact('fkcol', rel.key, column)] })),
  referencing: reader((_: AnalysisContext, rel: RelationRef) => ({ reads: [fact('fkref', rel.key)] })),
  foreignKey: reader((_: AnalysisContext, rel: RelationRef, name: string) => ({ reads: [fact('fk', rel.key, name)] })),
  setViewSources: (_, view: RelationRef) => ({ writes: [fact('view', view.key)] }),
  sourcesOf: reader((_: AnalysisContext, view: RelationRef) => ({ reads: [fact('view', view.key)] })),
  setPartitioned: (_, rel: RelationRef) => ({ writes: [fact('part', rel.key)] }),
  isPartitioned: reader((_: AnalysisContext, rel: RelationRef) => ({ reads: [fact('part', rel.key)] })),
  addIndexedColumns: (_, rel: RelationRef, columns: string[]) => ({ writes: columns.map((c) => fact('idxc', rel.key, c)) }),
  hasIndex: reader((_: AnalysisContext, rel: RelationRef) => ({ reads: [table('idxc', rel.key), fact('idxon', rel.key)] })),
  isIndexed: reader((_: AnalysisContext, rel: RelationRef, column: string) => ({ reads: [fact('idxc', rel.key, column)] })),
  indexUse: reader((_: AnalysisContext, rel: RelationRef, column: string) => ({ reads: [fact('idxc', rel.key, column)] })),
  forget: (ctx, rel: RelationRef) => {
    // Also changes what other tables know: the tables its keys reference, the table an index was on, a parent's default partition.
    const fks = proto.foreignKeysOf.call(ctx, rel);
    const on = proto.tableOfIndex.call(ctx, rel);
    return {
      reads: [table('fk', rel.key), fact('idxt', rel.key), all('defpart'), all('kids')],
      writes: [...TABLE_NAMESPACES.map((ns) => table(ns, rel.key)), ...fks.map((fk) => fact('fkref', fk.references.key)), ...(on ? [fact('idxon', on.key)] : []), all('defpart'), all('kids')],
    };
  },
  renameRelation: (_, from: RelationRef, to: RelationRef) => {
    // References to the relation held under other tables (their foreign keys, an index's table, a
    // view's sources, a default partition) are renamed too: those namespaces change as a whole.
    const keys = [...TABLE_NAMESPACES.flatMap((ns) => [table(ns, from.key), table(ns, to.key)]), all('fk'), all('fkcol'), all('idxt'), all('view'), all('defpart'), all('kids')];
    return { reads: keys, writes: keys };
  },
  column: reader((_: AnalysisContext, rel: RelationRef, column: string) => ({ reads: [fact('col', rel.key, column)] })),
  setColumn: (_, rel: RelationRef, column: string, _facts: ColumnFacts) => ({ writes: [fact('col', rel.key, column)] }),
  dropColumn: (_, rel: RelationRef, column: string) => ({ writes: [fact('col', rel.key, column)] }),
  renameColumn: (_, rel: RelationRef, from: string, to: string) => {
    const keys = [fact('col', rel.key, from), fact('col', rel.key, to), table('nnc', rel.key), table('nncol', rel.key), fact('idxc', rel.key, from), fact('idxc', rel.key, to), table('fk', rel.key), fact('fkcol', rel.key, from), fact('fkcol', rel.key, to)];
    return { reads: keys, writes: keys };
  },
  renameType: () => ({ reads: [all('col')], writes: [all('col')] }),
  addNotNullCheck: (_, rel: RelationRef, name: string, check: NotNullCheck) => ({ writes: [fact('nnc', rel.key, name), fact('nncol', rel.key, check.column)] }),
  notNullCheckColumn: reader((_: AnalysisContext, rel: RelationRef, name: string) => ({ reads: [fact('nnc', rel.key, name)] })),
  validateConstraint: (ctx, rel: RelationRef, name: string) => {
    const column = proto.notNullCheckColumn.call(ctx, rel, name);
    const keys = [fact('nnc', rel.key, name), fact('check', rel.key, name), fact('fk', rel.key, name), ...(column === undefined ? [] : [fact('nncol', rel.key, column)])];
    return { reads: keys, writes: keys };
  },
  dropConstraint: (ctx, rel: RelationRef, name: string) => {
    const fk = proto.foreignKey.call(ctx, rel, name);
    const column = proto.notNullCheckColumn.call(ctx, rel, name);
    return {
      reads: [fact('fk', rel.key, name), fact('nnc', rel.key, name)],
      writes: [
        fact('nnc', rel.key, name),
        ...(column === undefined ? [] : [fact('nncol', rel.key, column)]),
        fact('check', rel.key, name),
        fact('cname', rel.key, name),
        fact('fk', rel.key, name),
        ...(fk ? [...fk.columns.map((c) => fact('fkcol', rel.key, c)), fact('fkref', fk.references.key)] : []),
      ],
    };
  },
  hasValidNotNullCheck: reader((_: AnalysisContext, rel: RelationRef, column: string) => ({ reads: [fact('nncol', rel.key, column)] })),
};

const proto = AnalysisContext.prototype;

/** A call that changed the cross-file context: replayed on another thread's context. */
export type ContextCall = [method: MethodName, args: unknown[]];

/** What one file's analysis did to the cross-file context. */
export interface FileJournal {
  reads: string[];
  writes: string[];
  calls: ContextCall[];
}

export class ContextJournal {
  private reads = new Set<string>();
  private writes = new Set<string>();
  private calls: ContextCall[] = [];
  private depth = 0;
  private replaying = false;

  /**
   * Journals every call to `ctx` from now on (its methods are wrapped on the instance).
   * withReads: false keeps only writes and calls (the thread with the real context needs no reads).
   */
  constructor(
    private readonly ctx: AnalysisContext,
    withReads = true,
  ) {
    for (const name of Object.keys(METHODS) as MethodName[]) {
      const classify = METHODS[name];
      if (classify === 'file' || (!withReads && readers.has(classify))) continue;
      const method = proto[name] as (...args: unknown[]) => unknown;
      Object.defineProperty(ctx, name, {
        value: (...args: unknown[]) => {
          if (this.replaying) return method.apply(ctx, args);
          const touch = (classify as (ctx: AnalysisContext, ...args: unknown[]) => Touch)(ctx, ...args);
          if (withReads && touch.reads) for (const key of touch.reads) this.reads.add(key);
          if (touch.writes) {
            for (const key of touch.writes) this.writes.add(key);
            // Calls made by another method are part of that method's replay.
            if (this.depth === 0) this.calls.push([name, args]);
          }
          this.depth++;
          try {
            return method.apply(ctx, args);
          } finally {
            this.depth--;
          }
        },
      });
    }
  }

  /** Makes the calls another thread's analysis made, on this context, without journaling them (the caller knows what they touch). */
  replay(calls: readonly ContextCall[]): void {
    this.replaying = true;
    try {
      for (const [name, args] of calls) (proto[name] as (...a: unknown[]) => unknown).apply(this.ctx, args);
    } finally {
      this.replaying = false;
    }
  }

  /** What was journaled since the last take(), then forgotten. */
  take(): FileJournal {
    const taken = { reads: [...this.reads], writes: [...this.writes], calls: this.calls };
    this.reads = new Set();
    this.writes = new Set();
    this.calls = [];
    return taken;
  }
}

/**
 * Keys where the real context may differ from a speculating thread's: written by files that
 * thread did not analyse, or analysed differently. A file whose reads touch none of them got the
 * answers it would have got from the real context.
 */
export class DirtyKeys {
  /** Keys written, and TOUCHED marks of the tables and namespaces they are in; the 'new' namespace apart (clearNewTables). */
  private readonly marks = new Set<string>();
  private readonly newMarks = new Set<string>();

  add(writes: Iterable<string>): void {
    for (const key of writes) {
      const marks = key.startsWith(NEW_PREFIX) ? this.newMarks : this.marks;
      marks.add(key);
      const ns = key.indexOf(SEP);
      if (ns < 0) {
        marks.add(key.slice(0, -1) + TOUCHED);
        continue;
      }
      marks.add(key.slice(0, ns) + TOUCHED);
      const tableEnd = key.indexOf(SEP, ns + 1);
      marks.add((tableEnd < 0 ? key.slice(0, -1) : key.slice(0, tableEnd)) + TOUCHED);
    }
  }

  touches(reads: Iterable<string>): boolean {
    if (this.marks.size === 0 && this.newMarks.size === 0) return false;
    for (const key of reads) {
      const marks = key.startsWith(NEW_PREFIX) ? this.newMarks : this.marks;
      if (marks.size === 0) continue;
      const ns = key.indexOf(SEP);
      // All of a namespace: something in it changed.
      if (ns < 0) {
        if (marks.has(key) || marks.has(key.slice(0, -1) + TOUCHED)) return true;
        continue;
      }
      if (marks.has(key.slice(0, ns) + WHOLE)) return true;
      const tableEnd = key.indexOf(SEP, ns + 1);
      // All of a table: something in it changed; one fact: it, or all of its table, changed.
      if (tableEnd < 0 ? marks.has(key.slice(0, -1) + TOUCHED) : marks.has(key) || marks.has(key.slice(0, tableEnd) + WHOLE)) return true;
    }
    return false;
  }

  /**
   * treatAllAsExisting ran on both contexts at the same file: neither holds a new table any more,
   * so they agree on every 'new' key.
   */
  clearNewTables(): void {
    this.newMarks.clear();
  }
}
