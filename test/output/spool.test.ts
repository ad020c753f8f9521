import * as fs from 'node:fs';
import * as os from 'node:os';
import { joinChunks, Spool, SpooledJsonArray } from '../../src/output/spool';

/** Temporary files of this process's spools still open (they are unlinked at once: /proc shows them "(deleted)"). */
function openSpoolFiles(): number {
  return fs.readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return /dbops-report-.*\(deleted\)$/.test(fs.readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      return false;
    }
  }).length;
}

describe('Spool', () => {
  it('gives back what it was given, in order, while it stays in memory', () => {
    const spool = new Spool();
    const pieces = ['{\n', '  "a": 1', ',\n  "b": "ü"', '\n}'];
    for (const p of pieces) spool.add(p);
    expect(joinChunks(spool.read())).toBe(pieces.join(''));
  });

  it('moves to an unlinked temporary file past its limit and reads back the same text, multi-byte characters across read blocks included', () => {
    const spool = new Spool(1000);
    // 3-byte and 4-byte UTF-8 characters at every alignment, well past one 64 KB read block.
    const pieces = Array.from({ length: 20_000 }, (_, i) => `${i},€😀${'x'.repeat(i % 7)}\n`);
    const before = openSpoolFiles();
    for (const p of pieces) spool.add(p);
    expect(openSpoolFiles()).toBe(before + 1);
    const text = joinChunks(spool.read());
    expect(text).toBe(pieces.join(''));
    expect(Buffer.byteLength(text)).toBeGreaterThan(2 * 64 * 1024);
    expect(openSpoolFiles()).toBe(before);
  });

  it('leaves nothing in the temporary directory, even before it is read', () => {
    const spool = new Spool(10);
    spool.add('x'.repeat(100));
    expect(fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('dbops-report-'))).toEqual([]);
    expect(joinChunks(spool.read())).toBe('x'.repeat(100));
  });
});

describe('SpooledJsonArray', () => {
  const document = (items: unknown[]) => ({ schemaVersion: 1, runs: [{ results: items, after: true }] });

  it('prints what JSON.stringify(document, null, 2) prints, items spooled one by one, past the memory limit too', () => {
    for (const items of [[], [{ a: 1 }], Array.from({ length: 3000 }, (_, i) => ({ i, text: `line\nbreak € ${i}`, nested: { list: [i, 'x'] } }))]) {
      const array = new SpooledJsonArray(4, 1000);
      for (const item of items) array.add(item);
      const printed = joinChunks(array.document((placed) => JSON.stringify(document(placed as unknown[]), null, 2) + '\n'));
      expect(printed).toBe(JSON.stringify(document(items), null, 2) + '\n');
    }
  });

  it('refuses a document whose array is not at the depth its items were printed at', () => {
    const array = new SpooledJsonArray(2);
    array.add({ a: 1 });
    expect(() => joinChunks(array.document((placed) => JSON.stringify(document(placed as unknown[]), null, 2)))).toThrow(/depth 2/);
  });
});
