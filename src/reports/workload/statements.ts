/** pg_stat_statements entries read by the parser, with the tables they name resolved to this database's. */
import { parseSqlFile } from '../../sql/parser';
import { statementShape, type StatementShape } from './statement-shape';
import type { StatementDelta } from './writes';
import type { StatementRef } from './model';

export interface ReadStatement {
  delta: StatementDelta;
  shape: StatementShape;
  /** Written and read tables as schema.name (names the database does not have stay as written). */
  writes: string[];
  reads: string[];
  /** Whether it touches a table of pg_stat_user_tables (not only catalogs, views or functions). */
  touchesUserTable: boolean;
}

/** Up to this many characters of a statement in tables; JSON keeps the whole text. */
const SHORT_TEXT = 80;

export function statementRef(s: ReadStatement, short = false): StatementRef {
  const text = s.delta.row.query.replace(/\s+/g, ' ').trim();
  return { queryid: s.delta.row.queryid, user: s.delta.row.user, text: short && text.length > SHORT_TEXT ? `${text.slice(0, SHORT_TEXT - 1)}…` : text };
}

/**
 * Parses every entry once (the parser must be loaded). An entry that does not parse as one
 * statement — another role's text hidden as "<insufficient privilege>", a multi-statement
 * string — is counted, not guessed at. Utility statements (SET, BEGIN, DDL) are left out.
 */
export function readStatements(deltas: StatementDelta[], resolve: (name: string) => string, userTables: ReadonlySet<string>): { statements: ReadStatement[]; unparsed: number } {
  const statements: ReadStatement[] = [];
  let unparsed = 0;
  for (const delta of deltas) {
    let shape: StatementShape;
    try {
      const parsed = parseSqlFile(delta.row.query);
      if (parsed.errors.length > 0 || parsed.statements.length !== 1) {
        unparsed++;
        continue;
      }
      shape = statementShape(parsed.statements[0].node);
    } catch {
      unparsed++;
      continue;
    }
    if (shape.kind === 'other') continue;
    const writes = unique(shape.writes.map(resolve));
    const reads = unique(shape.reads.map(resolve));
    statements.push({ delta, shape, writes, reads, touchesUserTable: [...writes, ...reads].some((t) => userTables.has(t)) });
  }
  return { statements, unparsed };
}

const unique = (names: string[]) => [...new Set(names)];

/**
 * Resolves a table name as the statement's author saw it: schema-qualified names directly, bare
 * names through the search path, else the only table of that name in any schema.
 */
export function nameResolver(tables: Iterable<string>, searchPath: string[]): (name: string) => string {
  const known = new Set(tables);
  const bySimpleName = new Map<string, string[]>();
  for (const t of known) {
    const rel = t.slice(t.indexOf('.') + 1);
    bySimpleName.set(rel, [...(bySimpleName.get(rel) ?? []), t]);
  }
  return (name) => {
    const parts = name.split('.');
    if (parts.length > 1) return parts.slice(-2).join('.');
    for (const schema of searchPath) if (known.has(`${schema}.${name}`)) return `${schema}.${name}`;
    const candidates = bySimpleName.get(name) ?? [];
    return candidates.length === 1 ? candidates[0] : name;
  };
}
