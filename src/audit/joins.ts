/**
 * Join analysis of one statement's AST (libpg-query JSON): how many base tables it reads in FROM
 * and JOIN clauses, counted through subqueries, CTE bodies, LATERAL items and set-operation
 * branches; the widest single join problem (the most FROM items one query level hands the
 * planner, which is what join_collapse_limit and geqo_threshold compare with); and joins with no
 * condition at all.
 */
import { AnalysisLimitError } from '../sql/limits';

type AstObject = Record<string, any>;

export interface JoinAnalysis {
  /** Base-table references (a table read twice counts twice; CTE references do not count). */
  tables: number;
  /** Distinct base-table names in order of first appearance (schema-qualified when written so). */
  relations: string[];
  /** The most FROM items (tables, subqueries, CTE references, functions) in one query level. */
  widestJoin: number;
  /** Joins with no join condition, e.g. "orders × customers". */
  crossJoins: string[];
}

interface Walk {
  /** How deep the walk is in the tree; bounded (see MAX_DEPTH). */
  depth: number;
  tables: number;
  relations: Set<string>;
  widestJoin: number;
  crossJoins: string[];
}

export function analyzeJoins(stmt: AstObject): JoinAnalysis {
  const w: Walk = { depth: 0, tables: 0, relations: new Set(), widestJoin: 0, crossJoins: [] };
  walk(w, stmt, new Set());
  return { tables: w.tables, relations: [...w.relations], widestJoin: w.widestJoin, crossJoins: w.crossJoins };
}

/** Keys the query-level handlers deal with themselves; the generic walk skips them there. */
const HANDLED = new Set(['withClause', 'fromClause', 'usingClause', 'larg', 'rarg', 'relation', 'sourceRelation']);

/**
 * How deep the walk goes (objects and arrays) before it gives up: far below the JavaScript stack
 * (a few helpers per level), far above any real query (`SELECT 1+1+…` with thousands of terms is
 * the kind that is not audited).
 */
const MAX_DEPTH = 1500;

/** Finds statements and subqueries anywhere (SubLinks in WHERE or the target list, DDL bodies …). */
function walk(w: Walk, value: unknown, ctes: ReadonlySet<string>): void {
  if (value === null || typeof value !== 'object') return;
  if (w.depth >= MAX_DEPTH) throw new AnalysisLimitError(`nested more than ${MAX_DEPTH} levels deep: not audited`);
  w.depth++;
  try {
    walkValue(w, value, ctes);
  } finally {
    w.depth--;
  }
}

function walkValue(w: Walk, value: object, ctes: ReadonlySet<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) walk(w, v, ctes);
    return;
  }
  const obj = value as AstObject;
  if (obj.SelectStmt) return selectStmt(w, obj.SelectStmt, ctes);
  if (obj.UpdateStmt) return modifyStmt(w, obj.UpdateStmt, ctes, obj.UpdateStmt.fromClause);
  if (obj.DeleteStmt) return modifyStmt(w, obj.DeleteStmt, ctes, obj.DeleteStmt.usingClause);
  if (obj.MergeStmt) return mergeStmt(w, obj.MergeStmt, ctes);
  if (obj.InsertStmt) {
    const inner = withCtes(w, obj.InsertStmt.withClause, ctes);
    return walkRest(w, obj.InsertStmt, inner);
  }
  for (const v of Object.values(obj)) walk(w, v, ctes);
}

function walkRest(w: Walk, node: AstObject, ctes: ReadonlySet<string>): void {
  for (const [k, v] of Object.entries(node)) if (!HANDLED.has(k)) walk(w, v, ctes);
}

/** Adds this WITH clause's names to the scope and walks the CTE bodies (their tables count). */
function withCtes(w: Walk, withClause: AstObject | undefined, outer: ReadonlySet<string>): ReadonlySet<string> {
  if (!withClause?.ctes) return outer;
  const scope = new Set(outer);
  for (const c of withClause.ctes) if (c.CommonTableExpr?.ctename) scope.add(c.CommonTableExpr.ctename);
  for (const c of withClause.ctes) walk(w, c.CommonTableExpr?.ctequery, scope);
  return scope;
}

function selectStmt(w: Walk, s: AstObject, outer: ReadonlySet<string>): void {
  const ctes = withCtes(w, s.withClause, outer);
  if (s.op && s.op !== 'SETOP_NONE') {
    if (s.larg) selectStmt(w, s.larg, ctes);
    if (s.rarg) selectStmt(w, s.rarg, ctes);
  }
  fromList(w, s.fromClause ?? [], [], s.whereClause, ctes);
  walkRest(w, s, ctes);
}

/** UPDATE … FROM and DELETE … USING: the target is one more member of the join. */
function modifyStmt(w: Walk, s: AstObject, outer: ReadonlySet<string>, extra: AstObject[] | undefined): void {
  const ctes = withCtes(w, s.withClause, outer);
  fromList(w, extra ?? [], s.relation ? [{ RangeVar: s.relation }] : [], s.whereClause, ctes);
  walkRest(w, s, ctes);
}

function mergeStmt(w: Walk, s: AstObject, outer: ReadonlySet<string>): void {
  const ctes = withCtes(w, s.withClause, outer);
  // MERGE always has its ON condition: a join, never a cross join.
  const items = [s.relation ? { RangeVar: s.relation } : undefined, s.sourceRelation].filter(Boolean) as AstObject[];
  fromList(w, items, [], { joined: true }, ctes, true);
  walkRest(w, s, ctes);
}

/** One query level's FROM list: counts, width, and cross joins. */
function fromList(w: Walk, items: AstObject[], targets: AstObject[], where: unknown, ctes: ReadonlySet<string>, allJoined = false): void {
  const all = [...targets, ...items];
  if (all.length === 0) return;
  let width = 0;
  for (const item of all) width += leaves(item).length;
  w.widestJoin = Math.max(w.widestJoin, width);
  for (const item of all) fromItem(w, item, ctes);
  if (!allJoined && all.length > 1) commaCrossJoins(w, all, where);
}

function leaves(item: AstObject): AstObject[] {
  if (item.JoinExpr) return [...leaves(item.JoinExpr.larg), ...leaves(item.JoinExpr.rarg)];
  return [item];
}

function fromItem(w: Walk, item: AstObject, ctes: ReadonlySet<string>): void {
  if (item.RangeVar) {
    const rv = item.RangeVar;
    if (!rv.schemaname && !rv.catalogname && ctes.has(rv.relname)) return;
    w.tables++;
    w.relations.add(relationName(rv));
  } else if (item.JoinExpr) {
    const j = item.JoinExpr;
    fromItem(w, j.larg, ctes);
    fromItem(w, j.rarg, ctes);
    if (isConditionless(j) && !isLateral(j.rarg) && isRelationLike(j.larg) && isRelationLike(j.rarg)) {
      w.crossJoins.push(`${describe(j.larg)} × ${describe(j.rarg)}`);
    }
    walk(w, j.quals, ctes);
  } else if (item.RangeSubselect) {
    walk(w, item.RangeSubselect.subquery, ctes);
  } else if (item.RangeTableSample) {
    fromItem(w, item.RangeTableSample.relation, ctes);
    walk(w, item.RangeTableSample.args, ctes);
  } else {
    // Functions, XMLTABLE, JSON_TABLE: their arguments may hold subqueries.
    walk(w, item, ctes);
  }
}

export function relationName(rv: AstObject): string {
  return [rv.catalogname, rv.schemaname, rv.relname].filter(Boolean).join('.');
}

function isConditionless(j: AstObject): boolean {
  if (j.jointype !== 'JOIN_INNER' || j.usingClause || j.isNatural) return false;
  if (!j.quals) return true;
  return j.quals.A_Const?.boolval?.boolval === true;
}

function isLateral(item: AstObject): boolean {
  return Boolean(item.RangeSubselect?.lateral || item.RangeFunction?.lateral);
}

function isRelationLike(item: AstObject): boolean {
  return leaves(item).some((l) => l.RangeVar || (l.RangeSubselect && !l.RangeSubselect.lateral));
}

/** Names a FROM item the way the query refers to it: alias, else table name. */
function describe(item: AstObject): string {
  return leaves(item).map((l) => [...exposedNames(l)][0] ?? '(subquery)').join('+');
}

function exposedNames(item: AstObject): Set<string> {
  const names = new Set<string>();
  for (const leaf of leaves(item)) {
    const node = leaf.RangeVar ?? leaf.RangeSubselect ?? leaf.RangeFunction ?? leaf.RangeTableSample?.relation?.RangeVar;
    if (node?.alias?.aliasname) names.add(node.alias.aliasname);
    else if (leaf.RangeVar) names.add(leaf.RangeVar.relname);
    else if (leaf.RangeTableSample?.relation?.RangeVar) names.add(leaf.RangeTableSample.relation.RangeVar.relname);
  }
  if (item.JoinExpr?.alias?.aliasname) names.add(item.JoinExpr.alias.aliasname);
  return names;
}

/**
 * Comma-separated FROM items that no WHERE condition connects. Conditions are the AND-ed parts of
 * WHERE; each links the items whose names its qualified columns use. A condition comparing an
 * unqualified column with another could link any two items: then we report nothing rather than guess.
 */
function commaCrossJoins(w: Walk, items: AstObject[], where: unknown): void {
  const names = items.map(exposedNames);
  const parent = items.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const union = (a: number, b: number) => {
    parent[find(a)] = find(b);
  };
  items.forEach((item, i) => {
    // A LATERAL item refers to the items before it: it is joined to them by construction.
    if (i > 0 && isLateral(item)) for (let k = 0; k < i; k++) union(i, k);
  });
  for (const conjunct of conjuncts(where)) {
    const refs = columnQualifiers(conjunct);
    // One unqualified column touches one item at most; with other columns it could link any two.
    if (refs.unqualified && refs.columns > 1) return;
    const touched = new Set<number>();
    for (const q of refs.qualifiers) names.forEach((set, i) => set.has(q) && touched.add(i));
    const list = [...touched];
    for (let k = 1; k < list.length; k++) union(list[0], list[k]);
  }
  const groups = new Map<number, number[]>();
  items.forEach((_, i) => {
    if (!isRelationLike(items[i])) return;
    const root = find(i);
    groups.set(root, [...(groups.get(root) ?? []), i]);
  });
  if (groups.size > 1) {
    w.crossJoins.push([...groups.values()].map((members) => members.map((i) => describe(items[i])).join('+')).join(' × '));
  }
}

function conjuncts(where: unknown): unknown[] {
  if (!where) return [];
  const b = (where as AstObject).BoolExpr;
  if (b && b.boolop === 'AND_EXPR') return b.args.flatMap(conjuncts);
  return [where];
}

/** Qualifiers (t in t.col) of the columns an expression uses, not looking into subqueries. */
function columnQualifiers(expr: unknown, out = { qualifiers: new Set<string>(), unqualified: false, columns: 0 }) {
  if (expr === null || typeof expr !== 'object') return out;
  if (Array.isArray(expr)) {
    for (const e of expr) columnQualifiers(e, out);
    return out;
  }
  const obj = expr as AstObject;
  if (obj.SubLink) return columnQualifiers(obj.SubLink.testexpr, out);
  if (obj.ColumnRef) {
    const fields = obj.ColumnRef.fields as AstObject[];
    out.columns++;
    if (fields.length >= 2 && fields[fields.length - 2].String) out.qualifiers.add(fields[fields.length - 2].String.sval);
    else if (!fields.some((f) => f.A_Star)) out.unqualified = true;
    return out;
  }
  for (const v of Object.values(obj)) columnQualifiers(v, out);
  return out;
}
