import * as fs from 'node:fs';
import { UsageError } from '../core/errors';
import { STATS_SCHEMA_VERSION, type StatsSnapshot } from './types';
import { dbopsCommand } from '../core/dbops-command';

/** Reads and checks a stats file written by `dbops stats snapshot`. */
export function readStatsFile(file: string, what: string): StatsSnapshot {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read ${what} ${file}`, 'write it with: npx dbops stats snapshot --url "$DATABASE_URL" > dbops-stats.json');
  }
  let parsed: Partial<StatsSnapshot>;
  try {
    parsed = JSON.parse(text) as Partial<StatsSnapshot>;
  } catch (err) {
    throw new UsageError(`${what} ${file} is not valid JSON: ${(err as Error).message}`, `write it again with ${dbopsCommand('stats snapshot')}`);
  }
  if (parsed?.schemaVersion !== STATS_SCHEMA_VERSION || !Array.isArray(parsed.tables) || !validThroughput(parsed.throughput)) {
    throw new UsageError(`${what} ${file} is not a dbops stats snapshot (schemaVersion ${STATS_SCHEMA_VERSION})`, `write it again with ${dbopsCommand('stats snapshot')}`);
  }
  for (const t of parsed.tables) {
    if (typeof t?.schema !== 'string' || typeof t.name !== 'string' || !(t.heapBytes >= 0) || !(t.indexBytes >= 0)) {
      throw new UsageError(`${what} ${file}: a table entry lacks schema, name, heapBytes or indexBytes`, `write it again with ${dbopsCommand('stats snapshot')}`);
    }
  }
  return parsed as StatsSnapshot;
}

function validThroughput(t: StatsSnapshot['throughput'] | undefined): boolean {
  return Boolean(t && t.scanBytesPerSecond > 0 && t.rewriteBytesPerSecond > 0);
}
