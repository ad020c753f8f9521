import * as fs from 'node:fs';
import * as os from 'node:os';
import { joinChunks, Spool } from '../../src/output/spool';

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
