import fc from 'fast-check';
import { lintSources } from '../../src/lint/engine';
import { lintToString } from '../../src/lint/run';
import { lintFuzzInput, lintJsonViolation } from '../../src/testing/sql-fuzz';
import { runCli } from '../harness/cli';
import { useTempTrees } from '../harness/temp-tree';

/**
 * Random and hostile SQL files (src/testing/sql-fuzz.ts: deep nesting, long chains, huge
 * identifiers, nested and unterminated comments, invalid UTF-8, BOM, NUL, lone CR, surrogates)
 * through what `dbops lint` does. Properties: it never throws, exits 0, 1 or 2 (never 4), writes
 * JSON that parses, and every finding's position is inside the file. Bounded to a few hundred
 * inputs; bench/fuzz.js runs the same generator for long campaigns (#17 "keep it from coming back").
 */
const options = { pgVersion: 15, maxLockTimeoutMs: 5000 };

async function lintBytes(input: Buffer): Promise<{ output: string; exitCode: number }> {
  return lintToString({ paths: ['-'], format: 'json', color: false, cwd: '/', options, readStdin: async () => input }, lintSources);
}

describe('lint fuzz', () => {
  const make = useTempTrees('dbops-fuzz-');

  it('never throws, exits 0/1/2, writes parseable JSON with positions inside the file', async () => {
    await fc.assert(
      fc.asyncProperty(lintFuzzInput(fc), async (input) => {
        const { output, exitCode } = await lintBytes(input);
        const violation = lintJsonViolation(input, output, exitCode);
        if (violation) throw new Error(violation);
      }),
      { numRuns: 300, seed: Number(process.env.DBOPS_FUZZ_SEED ?? 17) },
    );
  }, 180_000);

  it('through the CLI: a directory of generated files lints with exit 0/1/2 and parseable JSON', async () => {
    const inputs = fc.sample(lintFuzzInput(fc), { numRuns: 40, seed: 4 });
    const root = make(Object.fromEntries(inputs.map((bytes, i) => [`db/${String(i + 1).padStart(3, '0')}_fuzz.sql`, bytes])));
    const r = await runCli(['lint', 'db', '--format', 'json'], { cwd: root, timeoutMs: 120_000 });
    expect(r.stderr).not.toMatch(/internal error|stack/i);
    expect([0, 1, 2]).toContain(r.code);
    const doc = JSON.parse(r.stdout);
    expect(doc.files).toHaveLength(inputs.length);
    // Each file's findings are checked against its own bytes.
    for (const [i, bytes] of inputs.entries()) {
      const file = `db/${String(i + 1).padStart(3, '0')}_fuzz.sql`;
      const own = JSON.stringify({ findings: doc.findings.filter((f: { file: string }) => f.file === file) });
      expect([file, lintJsonViolation(bytes, own, r.code)]).toEqual([file, undefined]);
    }
  }, 180_000);
});
