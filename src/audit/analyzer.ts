import { AnalysisLimitError } from '../sql/limits';
import { fingerprintSql, parseSqlFile } from '../sql/parser';
import { constantBlindKey } from './constant-blind-key';
import { analyzeJoins, type JoinAnalysis } from './joins';

export interface AnalyzedStatement {
  fingerprint: string;
  text: string;
  analysis: JoinAnalysis;
}

export type Analysis =
  | { ok: true; statements: AnalyzedStatement[] }
  | { ok: false; message: string; statements: AnalyzedStatement[] };

/** Enough distinct query shapes for any real application; past it the cache starts over, so memory stays flat. */
const CACHE_LIMIT = 20_000;

/**
 * Parses, fingerprints and analyses SQL text, once per distinct text up to constants: logs repeat
 * the same few hundred query shapes millions of times with different values.
 */
export class StatementAnalyzer {
  private readonly cache = new Map<string, Analysis>();
  parses = 0;

  analyze(text: string): Analysis {
    const key = constantBlindKey(text);
    const hit = this.cache.get(key);
    if (hit) return hit;
    const result = this.analyzeUncached(text);
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(key, result);
    return result;
  }

  private analyzeUncached(text: string): Analysis {
    this.parses++;
    const parsed = parseSqlFile(text);
    const statements: AnalyzedStatement[] = [];
    for (const st of parsed.statements) {
      try {
        statements.push({ fingerprint: fingerprintSql(st.text), text: st.text, analysis: analyzeJoins(st.node as Record<string, unknown>) });
      } catch (err) {
        // Depth-bounded walks (and the parser's own limits) make a pathological statement unaudited, not a crash.
        if (!(err instanceof AnalysisLimitError || err instanceof RangeError)) throw err;
        return { ok: false, message: err instanceof AnalysisLimitError ? err.message : 'nested too deeply: not audited', statements };
      }
    }
    if (parsed.errors.length > 0) return { ok: false, message: parsed.errors[0].message, statements };
    return { ok: true, statements };
  }
}
