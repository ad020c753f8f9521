/**
 * Predicted vs observed, per statement and relation: what the effects model said a statement
 * would do, what the scratch server saw it do (src/effects/trace.ts), where they differ ("the
 * model was wrong here"), and the effects corrected by the observation, which the lint rules
 * then judge instead of the prediction.
 */
import { combineByRelation } from '../effects/analyze';
import { lockRank, strongest, type LockMode } from '../effects/locks';
import type { TraceResult, TracedRelation } from '../effects/trace';
import type { Action, Rewrite, StatementEffects } from '../effects/types';

export interface PredictedRelation {
  relation: string;
  locks: LockMode[];
  rewrite: Rewrite;
  scan: boolean;
  indexBuild: boolean;
}

export interface ObservedRelation {
  relation: string;
  /** Empty when the statement ran outside a transaction (its locks were not observed). */
  locks: LockMode[];
  rewrite: boolean;
  scan: boolean;
  indexBuild: boolean;
}

export interface Comparison {
  predicted: PredictedRelation[];
  observed: ObservedRelation[];
  /** One line per difference where the model made a claim, e.g. "users: predicted no rewrite, observed a rewrite". */
  mismatches: string[];
  /** The effects with the observation put in place of the prediction. */
  corrected: StatementEffects;
}

const TABLE_KINDS = new Set(['r', 'p', 'm']);

/**
 * Where the seq_scan counter cannot confirm a scan claim: the plan or the data decide it
 * (TRUNCATE rebuilds empty indexes, MERGE and INSERT … SELECT plan freely), or the work reads
 * pages without a sequential scan (VACUUM, ANALYZE).
 */
const SCAN_UNOBSERVABLE: ReadonlySet<Action['kind']> = new Set(['truncate', 'merge', 'insert', 'vacuum', 'analyze']);

/** The name a trace reports (regclass text, or schema.name as watched) as an effects-model key. */
export function relationKey(name: string): string {
  const parts = name.match(/"(?:[^"]|"")*"|[^.]+/g) ?? [name];
  const plain = parts.map((p) => (p.startsWith('"') ? p.slice(1, -1).replace(/""/g, '"') : p));
  return plain.length === 2 && plain[0] === 'public' ? plain[1] : plain.join('.');
}

function allActions(effects: StatementEffects): Action[] {
  return [...effects.actions, ...(effects.nested ?? []).flatMap((n) => n.effects.actions)];
}

/** What the server does to each relation: a partitioned table's own action only locks it (its partitions' actions carry the work). */
function tracedActions(effects: StatementEffects): Action[] {
  return allActions(effects).map((a) => (a.inPartitions ? { ...a, rewrite: 'no' as const, scan: false, indexBuild: undefined } : a));
}

export function predictedRelations(effects: StatementEffects): PredictedRelation[] {
  // Views, sequences and indexes are not traced (no rows to rewrite or scan): only tables and materialized views are compared.
  // A DO block's statements run as one: what they do to a relation is folded into one prediction.
  const relations = combineByRelation(tracedActions(effects)).filter((r) => r.relation.kind !== 'index' && r.relation.kind !== 'relation');
  return relations.map((r) => ({ relation: r.relation.key, locks: r.locks, rewrite: r.rewrite, scan: r.scan, indexBuild: r.indexBuild !== undefined }));
}

export function observedRelations(trace: TraceResult, inTransaction: boolean): ObservedRelation[] {
  // A relation with no name left ('?') was created and dropped inside the statement: the transient copy of a rewrite.
  return Object.values(trace.relations)
    .filter((r: TracedRelation) => TABLE_KINDS.has(r.relkind))
    .map((r) => ({
      relation: relationKey(r.name),
      locks: inTransaction ? r.locks.filter((l) => !r.heldBefore.includes(l)) : [],
      rewrite: r.rewritten,
      scan: r.seqScans > 0,
      indexBuild: r.indexBuilds > 0,
    }))
    .filter((o) => o.locks.length > 0 || o.rewrite || o.scan || o.indexBuild);
}

/** Locks up to RowExclusiveLock block nobody that matters: a difference there is noise, not a wrong model. */
const NOTABLE = lockRank('RowExclusiveLock');

export function compare(effects: StatementEffects, trace: TraceResult, inTransaction: boolean): Comparison {
  const predicted = predictedRelations(effects);
  const observed = observedRelations(trace, inTransaction);
  const actions = allActions(effects);
  const corrected: StatementEffects = structuredClone(effects);
  const correctedActions = allActions(corrected);
  const mismatches: string[] = [];
  const keys = [...new Set([...predicted.map((p) => p.relation), ...observed.map((o) => o.relation)])];
  // A relation the statement itself creates (a DO block's CREATE TABLE, then its indexes) is not
  // there to watch before it runs: its scans and index builds cannot be observed, only its locks.
  const createdHere = new Set(actions.filter((a) => a.kind === 'create-table').map((a) => a.relation.key));
  for (const key of keys) {
    const p = predicted.find((r) => r.relation === key) ?? { relation: key, locks: [], rewrite: 'no' as Rewrite, scan: false, indexBuild: false };
    const o = observed.find((r) => r.relation === key) ?? { relation: key, locks: [], rewrite: false, scan: false, indexBuild: false };
    const own = actions.filter((a) => a.relation.key === key);
    const fixLocks = correctedActions.filter((a) => a.relation.key === key);
    // A partitioned table's own action keeps its work: its partitions' observations decide it (below).
    const fix = fixLocks.filter((a) => !a.inPartitions);
    // What a DO block does only under IF, CASE, a loop or a handler: the observation says whether it ran, the model did not claim it would.
    // Nor did it claim what it said it cannot prove (a DROP … IF EXISTS of a relation it has not seen).
    const claims = own.length === 0 || !own.every((a) => a.conditional || (a.cannotProve && a.kind === 'drop-table'));
    const mismatchesBefore = mismatches.length;
    if (inTransaction) {
      const pl = strongest(p.locks);
      const ol = strongest(o.locks);
      if (pl !== ol && Math.max(pl ? lockRank(pl) : -1, ol ? lockRank(ol) : -1) > NOTABLE) {
        mismatches.push(`${key}: predicted ${pl ?? 'no lock'}, observed ${ol ?? 'no lock'}`);
        if (ol) for (const a of fixLocks) a.lock = ol;
      }
    }
    if ((p.rewrite === 'yes' && !o.rewrite) || (p.rewrite === 'no' && o.rewrite)) {
      mismatches.push(`${key}: predicted ${p.rewrite === 'yes' ? 'a rewrite' : 'no rewrite'}, observed ${o.rewrite ? 'a rewrite' : 'none'}`);
    }
    for (const a of fix) {
      if (a.rewrite !== (o.rewrite ? 'yes' : 'no')) {
        a.rewrite = o.rewrite ? 'yes' : 'no';
        a.rewriteReason = o.rewrite ? 'observed on the scratch server: the table got new storage' : undefined;
      }
    }
    // A scan is a claim of the model only for its own actions on the relation, not for tables a
    // foreign key or a view query merely reads (the plan decides those), nor where it said it cannot prove it.
    const claimsScan = own.length > 0 && !createdHere.has(key) && p.rewrite !== 'unknown' && own.every((a) => !a.cannotProve && !SCAN_UNOBSERVABLE.has(a.kind) && !((a.kind === 'update' || a.kind === 'delete') && !a.wholeTable));
    if (claimsScan && p.scan !== o.scan) mismatches.push(`${key}: predicted ${p.scan ? 'a full scan' : 'no scan'}, observed ${o.scan ? 'one' : 'none'}`);
    if (claimsScan || own.some((a) => a.cannotProve) || p.rewrite === 'unknown') {
      for (const a of fix) {
        a.scan = o.scan;
        if (!o.scan) a.scanReason = undefined;
      }
    }
    if (!o.rewrite && !createdHere.has(key) && p.indexBuild !== o.indexBuild) {
      mismatches.push(`${key}: predicted ${p.indexBuild ? 'an index build' : 'no index build'}, observed ${o.indexBuild ? 'one' : 'none'}`);
      for (const a of fix) {
        if (o.indexBuild && ['create-index', 'reindex', 'add-constraint'].includes(a.kind)) a.indexBuild ??= { concurrent: a.concurrent === true, unique: false };
        if (!o.indexBuild) delete a.indexBuild;
      }
    }
    if (!claims) mismatches.splice(mismatchesBefore);
    // The observation answered what the model could not know.
    for (const a of fix) {
      delete a.cannotProve;
      delete a.conditional;
    }
  }
  for (const parent of correctedActions.filter((a) => a.inPartitions)) {
    const parts = correctedActions.filter((a) => a.partOf?.key === parent.relation.key && a.kind === parent.kind);
    if (parts.length === 0) continue;
    parent.rewrite = parts.some((a) => a.rewrite === 'yes') ? 'yes' : 'no';
    parent.scan = parts.some((a) => a.scan);
    parent.indexBuild = parts.find((a) => a.indexBuild)?.indexBuild;
    delete parent.cannotProve;
  }
  corrected.relations = combineByRelation(corrected.actions);
  for (const n of corrected.nested ?? []) n.effects.relations = combineByRelation(n.effects.actions);
  return { predicted, observed, mismatches, corrected };
}

/** "AccessExclusiveLock on users, rewrite, full scan" for one relation. */
export function describe(r: { relation: string; locks: LockMode[]; rewrite: Rewrite | boolean; scan: boolean; indexBuild: boolean }): string {
  const lock = strongest(r.locks);
  const parts = [lock ? `${lock} on ${r.relation}` : r.relation];
  if (r.rewrite === true || r.rewrite === 'yes') parts.push('rewrite');
  if (r.rewrite === 'unknown') parts.push('maybe a rewrite');
  if (r.scan) parts.push('full scan');
  if (r.indexBuild) parts.push('index build');
  return parts.join(', ');
}
