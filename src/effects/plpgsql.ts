/**
 * Finds the SQL a DO block will run: plain statements (PLpgSQL_stmt_execsql), PERFORM, and EXECUTE
 * of a constant string. DDL hidden in DO blocks is a classic way rewrites slip past review.
 */
import { parseSqlFile } from '../sql/parser';
import { walkTree } from '../sql/tree';

/* eslint-disable @typescript-eslint/no-explicit-any */
type AnyNode = any;

export interface EmbeddedStatement {
  node: AnyNode;
  text: string;
  /** Under IF, CASE, a loop or an exception handler: what decides whether it runs. */
  conditional?: string;
}

interface Query {
  sql: string;
  conditional?: string;
}

export function extractDoBlockStatements(plpgsqlTree: unknown): EmbeddedStatement[] {
  const queries: Query[] = [];
  walk(plpgsqlTree, queries);
  const out: EmbeddedStatement[] = [];
  for (const q of queries) {
    // Pieces the parser rejects on their own (PL/pgSQL expressions) have nothing to analyse.
    for (const st of parseSqlFile(q.sql).statements) out.push({ node: st.node, text: st.text, ...(q.conditional ? { conditional: q.conditional } : {}) });
  }
  return out;
}

/** Constructs whose bodies may run or not (or many times), by what decides it. */
const CONDITIONAL: Record<string, string> = {
  PLpgSQL_stmt_if: 'an IF whose condition is evaluated when the block runs',
  PLpgSQL_stmt_case: 'a CASE evaluated when the block runs',
  PLpgSQL_stmt_loop: 'a loop',
  PLpgSQL_stmt_while: 'a WHILE loop',
  PLpgSQL_stmt_fori: 'a FOR loop',
  PLpgSQL_stmt_fors: 'a FOR … IN query loop (once per row the query returns)',
  PLpgSQL_stmt_forc: 'a FOR … IN cursor loop',
  PLpgSQL_stmt_foreach_a: 'a FOREACH loop',
  PLpgSQL_stmt_dynfors: 'a FOR … IN EXECUTE loop',
  PLpgSQL_exception: 'an exception handler (it runs only when the block raises that error)',
};

/** Parts of those constructs that run whenever the construct is reached (conditions, loop bounds, the query of FOR … IN). */
const ALWAYS_RUNS = new Set(['cond', 't_expr', 'expr', 'query', 'lower', 'upper', 'step', 'lineno']);

function walk(root: AnyNode, queries: Query[]): void {
  // The construct each conditional subtree sits in, by node: filled as the walk enters them.
  const within = new Map<AnyNode, string>();
  walkTree(root, (_key, node) => {
    const inherited = within.get(node);
    const mark = (child: AnyNode, why: string) => {
      if (child && typeof child === 'object' && !within.has(child)) within.set(child, why);
    };
    if (Array.isArray(node)) {
      if (inherited) for (const item of node) mark(item, inherited);
      return;
    }
    for (const [key, child] of Object.entries(node)) {
      if (inherited) mark(child, inherited);
      else if (CONDITIONAL[key] && child && typeof child === 'object') {
        for (const [part, body] of Object.entries(child as object)) if (!ALWAYS_RUNS.has(part)) mark(body, CONDITIONAL[key]);
      }
    }
    const conditional = inherited;
    const push = (sql: string) => queries.push(conditional ? { sql, conditional } : { sql });
    const exec = node.PLpgSQL_stmt_execsql?.sqlstmt?.PLpgSQL_expr?.query;
    if (typeof exec === 'string') push(exec);
    // PERFORM arrives as a SELECT: it matters for PERFORM set_config('lock_timeout', …).
    const perform = node.PLpgSQL_stmt_perform?.expr?.PLpgSQL_expr?.query;
    if (typeof perform === 'string') push(perform);
    const dyn = node.PLpgSQL_stmt_dynexecute?.query?.PLpgSQL_expr?.query;
    if (typeof dyn === 'string') {
      const constant = stringLiteral(dyn);
      if (constant !== undefined) push(constant);
    }
  });
}

/** 'text' with '' escapes, or $tag$text$tag$; anything else (concatenation, format()) is not constant. */
export function stringLiteral(expr: string): string | undefined {
  const s = expr.trim();
  const quoted = /^'((?:[^']|'')*)'$/s.exec(s);
  if (quoted) return quoted[1].replace(/''/g, "'");
  const dollar = /^\$([A-Za-z_]*)\$([\s\S]*)\$\1\$$/.exec(s);
  if (dollar) return dollar[2];
  return undefined;
}
