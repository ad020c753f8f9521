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
 * Each distinct statement text parsed once (the parser must be loaded): the report parses the
 * first sample's statements while the interval runs and only new texts after the second. A text
 * that does not parse as one statement — another role's text hidden as "<insufficient
 * privilege>", a multi-statement string — is null: counted, not guessed at.
 */
export class StatementShapes {
  private readonly shapes = new Map<string, StatementShape | null>();

  of(text: string): StatementShape | null {
    let shape = this.shapes.get(text);
    if (shape === undefined) {
      shape = parseShape(text);
      this.shapes.set(text, shape);
    }
    return shape;
  }

  /** The functions the statements call, by name, sorted. */
  functionsOf(texts: Iterable<string>): string[] {
    const names = new Set<string>();
    for (const text of texts) for (const f of this.of(text)?.functions ?? []) names.add(f);
    return [...names].sort();
  }
}

function parseShape(text: string): StatementShape | null {
  try {
    const parsed = parseSqlFile(text);
    return parsed.errors.length > 0 || parsed.statements.length !== 1 ? null : statementShape(parsed.statements[0].node);
  } catch {
    return null;
  }
}

/** The statements with their shapes and resolved tables; utility statements (SET, BEGIN, DDL) are left out. */
export function readStatements(
  deltas: StatementDelta[],
  resolve: (name: string) => string,
  userTables: ReadonlySet<string>,
  shapes: StatementShapes,
): { statements: ReadStatement[]; unparsed: number } {
  const statements: ReadStatement[] = [];
  let unparsed = 0;
  for (const delta of deltas) {
    const shape = shapes.of(delta.row.query);
    if (shape === null) unparsed++;
    if (shape === null || shape.kind === 'other') continue;
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
