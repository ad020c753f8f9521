import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/**
 * The layers of docs/architecture.md, lowest first. A file may import its own layer or a lower
 * one, never a higher one; no files and no modules (the entries below) import each other in a
 * circle. The most specific entry wins, so the rule API files sit below the rest of src/lint/.
 */
const LAYERS: ReadonlyArray<readonly [layer: string, modules: readonly string[]]> = [
  ['core', ['src/core/']],
  ['foundation', ['src/util/', 'src/sql/', 'src/db/', 'src/config/', 'src/testing/']],
  ['analysis', ['src/effects/', 'src/replication/', 'src/migrations/', 'src/orm/', 'src/stats/', 'src/verify/']],
  ['rule API', ['src/lint/types.ts', 'src/lint/rule.ts', 'src/lint/rule-helpers.ts']],
  ['rules', ['rules/']],
  ['output', ['src/output/']],
  ['features', ['src/lint/', 'src/migrate/', 'src/backfill/', 'src/audit/', 'src/reports/', 'src/timeouts/', 'src/init/']],
  ['entry', ['src/cli/', 'src/commands/', 'src/index.ts']],
];

const ROOT = path.resolve(__dirname, '..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return sourceFiles(rel);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && !e.name.endsWith('.test.ts') ? [rel] : [];
  });
}

/** The module (most specific LAYERS entry) of a repository-relative path, and its layer's rank. */
function placeOf(file: string): { module: string; layer: string; rank: number } | undefined {
  let best: { module: string; layer: string; rank: number } | undefined;
  LAYERS.forEach(([layer, modules], rank) => {
    for (const m of modules) {
      const hit = m.endsWith('/') ? file.startsWith(m) : file === m;
      if (hit && (!best || m.length > best.module.length)) best = { module: m, layer, rank };
    }
  });
  return best;
}

/** Every relative import, export-from, require() and import() (type-only ones too) resolved to a file. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map((f) => f.fileName)
    .filter((spec) => spec.startsWith('.'))
    .flatMap((spec) => {
      const base = path.join(path.dirname(file), spec);
      const target = [`${base}.ts`, `${base}/index.ts`].find((p) => fs.existsSync(path.join(ROOT, p)));
      return target ? [target.split(path.sep).join('/')] : [];
    });
}

/** Circles in a directed graph (strongly connected components of more than one node, or a self-loop). */
function circles(graph: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v)?.has(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('architecture (docs/architecture.md)', () => {
  const files = [...sourceFiles('src'), ...sourceFiles('rules')];
  const edges = files.flatMap((from) => importsOf(from).map((to) => ({ from, to })));

  it('places every source file in a layer', () => {
    expect(files.filter((f) => !placeOf(f))).toEqual([]);
  });

  it('has no import from a lower layer to a higher one', () => {
    const upward = edges
      .filter(({ from, to }) => placeOf(to) && placeOf(from) && placeOf(to)!.rank > placeOf(from)!.rank)
      .map(({ from, to }) => `${from} (${placeOf(from)!.layer}) imports ${to} (${placeOf(to)!.layer})`);
    expect(upward).toEqual([]);
  });

  it('has no circle of files, type-only imports included', () => {
    const graph = new Map(files.map((f) => [f, new Set<string>()]));
    for (const { from, to } of edges) graph.get(from)!.add(to);
    expect(circles(graph)).toEqual([]);
  });

  it('has no circle of modules', () => {
    const graph = new Map<string, Set<string>>();
    for (const { from, to } of edges) {
      const [a, b] = [placeOf(from)?.module, placeOf(to)?.module];
      if (!a || !b || a === b) continue;
      graph.set(a, (graph.get(a) ?? new Set()).add(b));
    }
    expect(circles(graph)).toEqual([]);
  });

  it('notices an upward import and a circle (the checks can fail)', () => {
    expect(placeOf('src/db/connect.ts')!.rank).toBeLessThan(placeOf('src/cli/main.ts')!.rank);
    expect(circles(new Map([['a', new Set(['b'])], ['b', new Set(['a'])]]))).toEqual([['a', 'b']]);
  });
});
