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
}

export function extractDoBlockStatements(plpgsqlTree: unknown): EmbeddedStatement[] {
  const queries: string[] = [];
  walk(plpgsqlTree, queries);
  const out: EmbeddedStatement[] = [];
  for (const sql of queries) {
    // Pieces the parser rejects on their own (PL/pgSQL expressions) have nothing to analyse.
    for (const st of parseSqlFile(sql).statements) out.push({ node: st.node, text: st.text });
  }
  return out;
}

function walk(root: AnyNode, queries: string[]): void {
  walkTree(root, (_key, node) => {
    if (Array.isArray(node)) return;
    const exec = node.PLpgSQL_stmt_execsql?.sqlstmt?.PLpgSQL_expr?.query;
    if (typeof exec === 'string') queries.push(exec);
    // PERFORM arrives as a SELECT: it matters for PERFORM set_config('lock_timeout', …).
    const perform = node.PLpgSQL_stmt_perform?.expr?.PLpgSQL_expr?.query;
    if (typeof perform === 'string') queries.push(perform);
    const dyn = node.PLpgSQL_stmt_dynexecute?.query?.PLpgSQL_expr?.query;
    if (typeof dyn === 'string') {
      const constant = stringLiteral(dyn);
      if (constant !== undefined) queries.push(constant);
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
