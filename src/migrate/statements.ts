import type { Node } from 'libpg-query';
import { UsageError } from '../core/errors';
import type { AnalysisContext } from '../effects/context';
import type { StatementEffects } from '../effects/types';
import { analyzeFile, createContext } from '../effects/analyze-files';
import { loadParser } from '../sql/parser';
import { formatDuration } from '../util/duration';
import type { MigrationFile } from './files';

/**
 * The header comment that makes a file run statement by statement outside a transaction; goose's
 * and dbmate's spellings of the same request are honoured too.
 */
export const NO_TRANSACTION_MARKER = /^[ \t]*--[ \t]*(?:dbops:no-transaction\b|\+goose[ \t]+no[ \t]+transaction\b|migrate:up\b.*\btransaction:false\b)/im;

/** A concurrent index build whose failure leaves an INVALID index behind. */
export interface ConcurrentIndexBuild {
  kind: 'create' | 'reindex';
  /** Schema as written, if any. */
  schema?: string;
  /** The index name (CREATE: the new index; REINDEX INDEX: the index rebuilt); absent when unnamed. */
  index?: string;
  /** The table the build is on (CREATE INDEX, REINDEX TABLE). */
  table?: { schema?: string; name: string };
}

export interface MigrationStatement {
  /** 0-based position in the file: the progress key for non-transactional files. */
  index: number;
  text: string;
  line: number;
  column: number;
  /** The AST node type, e.g. "AlterTableStmt". */
  kind: string;
  node: Node;
  /** What the lint engine's effects model predicts: locks, rewrites, scans (for `migrate plan`). */
  effects: StatementEffects;
  /** Why this statement cannot run inside a transaction block, if it cannot. */
  noTransaction?: string;
  concurrentIndex?: ConcurrentIndexBuild;
}

export interface PreparedMigration {
  file: MigrationFile;
  statements: MigrationStatement[];
  /** False: run statement by statement with progress rows. */
  transactional: boolean;
  /** Why not, for the log: "CREATE INDEX CONCURRENTLY at line 3" or "-- dbops:no-transaction". */
  nonTransactionalReason?: string;
}

/** How output names a migration and how it runs (the log, the JSON document, the plan). */
export interface MigrationHeader {
  version: string;
  name: string;
  /** Path relative to the current directory. */
  file: string;
  transactional: boolean;
  nonTransactionalReason?: string;
}

export function migrationHeader(m: PreparedMigration): MigrationHeader {
  return { version: m.file.version, name: m.file.name, file: m.file.displayPath, transactional: m.transactional, nonTransactionalReason: m.nonTransactionalReason };
}

/**
 * Parses the pending migrations into the statements the runner sends one by one, and decides for
 * each file whether it can run in one transaction. Files are analysed in order with one effects
 * context primed with the live schema, so a table created by an earlier pending file counts as
 * new and existing column types are known. Refuses, before anything runs, files that would defeat
 * the runner's guarantees: syntax errors, their own BEGIN/COMMIT, or a lock_timeout above the policy.
 */
export async function prepareMigrations(
  files: MigrationFile[],
  opts: { pgVersion: number; maxLockTimeoutMs: number; existingSchema?: string },
): Promise<PreparedMigration[]> {
  await loadParser();
  const ctx = createContext({ pgVersion: opts.pgVersion, existingSchema: opts.existingSchema });
  return files.map((file) => prepareOne(file, ctx, opts.maxLockTimeoutMs));
}

function prepareOne(file: MigrationFile, ctx: AnalysisContext, maxLockTimeoutMs: number): PreparedMigration {
  const analyzed = analyzeFile({ path: file.displayPath, text: file.sql }, ctx);
  const { parsed } = analyzed;
  const problem = parsed.errors[0] ?? analyzed.analysisErrors[0];
  if (problem) {
    const where = `${file.displayPath}:${problem.position.line}:${problem.position.column}`;
    // A statement dbops cannot analyse must not be applied unchecked (nor silently left out).
    if (problem.kind === 'limit') throw new UsageError(`${where}: cannot analyse this statement: ${problem.message}`, 'split it into smaller statements; nothing was applied');
    throw new UsageError(`${where}: syntax error: ${problem.message}`, 'fix the SQL; nothing was applied');
  }
  const statements = analyzed.statements.map(({ statement: st, analyzed: { effects } }, index): MigrationStatement => {
    const kind = Object.keys(st.node)[0];
    const body = (st.node as Record<string, unknown>)[kind] as Record<string, unknown>;
    const where = `${file.displayPath}:${st.start.line}:${st.start.column}`;
    checkAllowed(kind, body, effects, where, maxLockTimeoutMs);
    const later = parsed.statements.slice(index + 1).map((s) => s.text);
    return {
      index,
      text: st.text,
      line: st.start.line,
      column: st.start.column,
      kind,
      node: st.node,
      effects,
      noTransaction: effects.transactional ? runnerOnlyNoTransactionReason(kind, body, later) : effects.nonTransactionalReason?.replace(/ cannot run inside a transaction block$/, ''),
      concurrentIndex: concurrentIndexBuild(kind, body),
    };
  });
  const firstStatementOffset = parsed.statements[0]?.start.offset ?? file.sql.length;
  const header = NO_TRANSACTION_MARKER.exec(file.sql.slice(0, firstStatementOffset));
  const blocking = statements.find((s) => s.noTransaction);
  if (header) return { file, statements, transactional: false, nonTransactionalReason: header[0].trim() };
  if (blocking) return { file, statements, transactional: false, nonTransactionalReason: `${blocking.noTransaction} at line ${blocking.line}` };
  return { file, statements, transactional: true };
}

function checkAllowed(kind: string, body: Record<string, unknown>, effects: StatementEffects, where: string, maxLockTimeoutMs: number): void {
  if (effects.transaction) {
    throw new UsageError(
      `${where}: transaction control (${String(body.kind).replace(/^TRANS_STMT_/, '')}) in a migration`,
      'remove BEGIN/COMMIT: dbops runs each migration in its own transaction (or statement by statement with -- dbops:no-transaction)',
    );
  }
  const cap = formatDuration(maxLockTimeoutMs);
  if (kind === 'VariableSetStmt' && body.kind === 'VAR_RESET_ALL') {
    throw new UsageError(`${where}: RESET ALL would drop the ${cap} lock_timeout dbops sets`, 'reset only the settings the migration changed');
  }
  const setting = effects.setting;
  if (setting?.name !== 'lock_timeout') return;
  if (setting.valueMs === null) {
    throw new UsageError(`${where}: lock_timeout ${setting.raw} would drop the ${cap} cap dbops sets`, 'remove it; dbops sets lock_timeout itself');
  }
  if (setting.valueMs <= 0 || setting.valueMs > maxLockTimeoutMs) {
    throw new UsageError(
      `${where}: lock_timeout = ${setting.valueMs <= 0 ? '0 (wait forever)' : formatDuration(setting.valueMs)} exceeds the policy maximum ${cap}`,
      'remove it (dbops sets lock_timeout itself) or raise policy.maxLockTimeout in dbops.config.json',
    );
  }
}

function hasConcurrentlyOption(body: Record<string, unknown>): boolean {
  const params = (body.params as Array<{ DefElem?: { defname?: string } }> | undefined) ?? [];
  return params.some((p) => p.DefElem?.defname === 'concurrently');
}

/**
 * Statements the effects model lets through that the runner still cannot put in its
 * transaction: they refuse a transaction block, or (ALTER TYPE … ADD VALUE) their result cannot
 * be used before they commit.
 */
function runnerOnlyNoTransactionReason(kind: string, body: Record<string, unknown>, laterStatements: string[]): string | undefined {
  switch (kind) {
    case 'CreatedbStmt':
      return 'CREATE DATABASE';
    case 'DropdbStmt':
      return 'DROP DATABASE';
    case 'AlterSystemStmt':
      return 'ALTER SYSTEM';
    case 'CreateTableSpaceStmt':
      return 'CREATE TABLESPACE';
    case 'DropTableSpaceStmt':
      return 'DROP TABLESPACE';
    case 'AlterTableStmt': {
      const cmds = (body.cmds as Array<{ AlterTableCmd?: { subtype?: string; def?: { PartitionCmd?: { concurrent?: boolean } } } }>) ?? [];
      return cmds.some((c) => c.AlterTableCmd?.subtype === 'AT_DetachPartition' && c.AlterTableCmd.def?.PartitionCmd?.concurrent)
        ? 'DETACH PARTITION CONCURRENTLY'
        : undefined;
    }
    case 'AlterEnumStmt': {
      if (body.oldVal !== undefined) return undefined; // RENAME VALUE
      const literal = `'${String(body.newVal).replace(/'/g, "''")}'`;
      return laterStatements.some((t) => t.includes(literal)) ? 'ALTER TYPE … ADD VALUE used later in the same file' : undefined;
    }
    default:
      return undefined;
  }
}

interface RangeVarLike {
  schemaname?: string;
  relname: string;
}

function concurrentIndexBuild(kind: string, body: Record<string, unknown>): ConcurrentIndexBuild | undefined {
  if (kind === 'IndexStmt' && body.concurrent) {
    const rel = body.relation as RangeVarLike;
    // A new index lives in its table's schema.
    return { kind: 'create', schema: rel.schemaname, index: body.idxname as string | undefined, table: { schema: rel.schemaname, name: rel.relname } };
  }
  if (kind === 'ReindexStmt' && hasConcurrentlyOption(body)) {
    const rel = body.relation as RangeVarLike | undefined;
    if (!rel) return undefined;
    if (body.kind === 'REINDEX_OBJECT_INDEX') return { kind: 'reindex', schema: rel.schemaname, index: rel.relname };
    if (body.kind === 'REINDEX_OBJECT_TABLE') return { kind: 'reindex', schema: rel.schemaname, table: { schema: rel.schemaname, name: rel.relname } };
  }
  return undefined;
}
