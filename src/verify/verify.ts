/**
 * `--verify`: proves each prediction on a scratch server. The history that precedes the linted
 * files (lint.schemaFile or the live schema, then migrations already applied) is replayed; then
 * every linted statement runs in order, each in its own traced transaction that is committed so
 * the next one runs on its result (statements that refuse a transaction block run alone), and
 * what it did is compared with what the model predicted.
 */
import { Client } from '../db/pg';
import { DbopsError } from '../core/errors';
import { EXIT } from '../core/exit-codes';
import { analyzeSources, type AnalyzeOptions } from '../effects/analyze-files';
import { traceAlone, traceStatement, type TraceResult } from '../effects/trace';
import type { SqlSource, StatementEffects } from '../effects/types';
import { compare, describe, predictedRelations, type ObservedRelation, type PredictedRelation } from './compare';
import { openScratch, type Scratch } from './scratch';

export interface VerifiedStatement {
  file: string;
  /** Position of the statement among the file's top-level statements. */
  ordinal: number;
  line: number;
  text: string;
  /** In its own transaction (locks observed), alone (refuses a transaction block), or not run (BEGIN/COMMIT). */
  traced: 'transaction' | 'alone' | 'not-run';
  predicted: PredictedRelation[];
  observed: ObservedRelation[];
  /** Where the observation contradicts a claim of the model. */
  mismatches: string[];
  modelWasWrong: boolean;
  /** The server refused the statement: its error, as the server said it. */
  error?: { code?: string; message: string };
  /** What only data would show, from the model (the scratch tables are empty). */
  fromModel?: string;
  /** The effects the rules judge: the observation where it differs from the prediction. */
  corrected: StatementEffects;
  ms: number;
}

export interface VerifyResult {
  /** Where it ran (never a password). */
  scratch: string;
  statements: VerifiedStatement[];
  /** Time to create the scratch database and replay the history. */
  setupMs: number;
}

export interface VerifyRequest {
  /** `local`, or the URL of a server where dbops may create a database. */
  target: string;
  /** The run's sources in order; `applied` ones are replayed as history. */
  sources: SqlSource[];
  options: AnalyzeOptions;
}

/** Every user table, materialized view and partitioned table: watched for rewrites and scans. */
const RELATIONS_SQL = `
  SELECT format('%I.%I', n.nspname, c.relname) AS name
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`;

export async function verifySources(request: VerifyRequest): Promise<VerifyResult> {
  const files = await analyzeSources(request.sources, request.options);
  const started = Date.now();
  const scratch = await openScratch(request.target);
  try {
    await replayHistory(scratch, request);
    const setupMs = Date.now() - started;
    const client = await connectTo(scratch);
    try {
      const statements: VerifiedStatement[] = [];
      for (const file of files.filter((f) => !f.applied)) {
        for (const [ordinal, st] of file.statements.entries()) statements.push(await verifyStatement(client, file.path, ordinal, st.statement.start.line, st.statement.text, st.analyzed.effects));
      }
      return { scratch: scratch.label, statements, setupMs };
    } finally {
      await client.end().catch(() => undefined);
    }
  } catch (err) {
    // Interrupted: dropping the database ended our session; the signal handler exits with 130.
    if (scratch.interrupted?.()) await new Promise(() => undefined);
    throw err;
  } finally {
    if (!scratch.interrupted?.()) await scratch.release();
  }
}

async function connectTo(scratch: Scratch): Promise<Client> {
  const client = new Client({ ...scratch.config, application_name: 'dbops lint --verify' });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/**
 * The schema file and the migrations already applied, on a connection of their own (a pg_dump
 * file changes the session's search_path); a failure here means the history itself does not run.
 */
async function replayHistory(scratch: Scratch, request: VerifyRequest): Promise<void> {
  const history = [
    ...(request.options.existingSchema ? [{ path: 'lint.schemaFile (the existing schema)', text: request.options.existingSchema }] : []),
    ...request.sources.filter((s) => s.applied),
  ];
  if (history.length === 0) return;
  const client = await connectTo(scratch);
  try {
    for (const h of history) {
      try {
        await client.query(h.text);
      } catch (err) {
        throw new DbopsError(`--verify: replaying ${h.path} on the scratch server failed: ${(err as Error).message}`, {
          exitCode: EXIT.failed,
          hint: 'the history must run on an empty database (extensions and roles it needs must exist on the server)',
        });
      }
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function verifyStatement(client: Client, file: string, ordinal: number, line: number, text: string, effects: StatementEffects): Promise<VerifiedStatement> {
  const started = Date.now();
  const base = { file, ordinal, line, text, predicted: [] as PredictedRelation[], observed: [] as ObservedRelation[], mismatches: [] as string[], modelWasWrong: false, corrected: effects };
  if (effects.transaction) {
    // Each statement is traced in its own transaction; the file's BEGIN/COMMIT have nothing left to do.
    return { ...base, traced: 'not-run', ms: Date.now() - started };
  }
  const watch = (await client.query<{ name: string }>(RELATIONS_SQL)).rows.map((r) => r.name);
  const alone = !effects.transactional;
  const trace: TraceResult = alone ? await traceAlone(client, text, watch) : await traceStatement(client, text, watch, undefined, { commit: true });
  const fromModel = [effects, ...(effects.nested ?? []).map((n) => n.effects)]
    .flatMap((e) => e.actions)
    .filter((a) => a.failsIfRows)
    .map((a) => `from the model: fails (ERROR 23502) once ${a.relation.name} has a row — the scratch tables are empty`)[0];
  if (trace.error) return { ...base, traced: alone ? 'alone' : 'transaction', predicted: predictedRelations(effects), error: trace.error, fromModel, ms: Date.now() - started };
  const comparison = compare(effects, trace, !alone);
  return {
    ...base,
    traced: alone ? 'alone' : 'transaction',
    predicted: comparison.predicted,
    observed: comparison.observed,
    mismatches: comparison.mismatches,
    modelWasWrong: comparison.mismatches.length > 0,
    corrected: comparison.corrected,
    fromModel,
    ms: Date.now() - started,
  };
}

/** One line each: "predicted: …; observed: …". */
export function summarizeStatement(v: VerifiedStatement): { predicted: string; observed: string } {
  const list = (rs: Array<Parameters<typeof describe>[0]>) => (rs.length ? rs.map(describe).join('; ') : 'nothing');
  return {
    predicted: list(v.predicted),
    observed: v.traced === 'not-run' ? 'not run (transaction control)' : v.error ? `server error ${v.error.code ?? ''}: ${v.error.message}`.trim() : list(v.observed),
  };
}
