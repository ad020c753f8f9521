import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Past this much text a spool moves to a temporary file (a JSON report of ~2,500 findings). */
const IN_MEMORY_CHARACTERS = 1024 * 1024;
const READ_BLOCK = 64 * 1024;
const WRITE_BLOCK = 64 * 1024;

/** A piece of a report: text, or bytes a spool read back from its file (written out as they are, never decoded). */
export type ReportChunk = string | Buffer;

/** The pieces as one string (tests and small reports: it holds the whole report). */
export function joinChunks(chunks: Iterable<ReportChunk>): string {
  const parts: ReportChunk[] = [...chunks];
  return parts.every((p) => typeof p === 'string') ? parts.join('') : Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p))).toString('utf8');
}

/**
 * Text that must wait for something written before it (a report whose summary comes first): kept
 * in memory while it is small, then in a temporary file, so a run of any size holds about a
 * megabyte of it at most. Read it back once.
 */
export class Spool {
  private chunks: string[] = [];
  private characters = 0;
  /** The temporary file, already unlinked: it goes away with the process whatever happens. */
  private fd: number | undefined;
  /** No temporary file could be made: everything stays in memory. */
  private inMemoryOnly = false;
  /** Text for the file, written in blocks rather than a system call per piece. */
  private pending = '';

  constructor(private readonly inMemoryCharacters = IN_MEMORY_CHARACTERS) {}

  add(text: string): void {
    if (this.fd !== undefined) {
      this.pending += text;
      if (this.pending.length >= WRITE_BLOCK) this.writePending();
      return;
    }
    this.chunks.push(text);
    this.characters += text.length;
    if (this.characters > this.inMemoryCharacters && !this.inMemoryOnly) this.moveToFile();
  }

  /**
   * Strings while it stayed in memory; otherwise the file's bytes, block by block, as they are:
   * decoding them into strings to encode them again for the output cost a quarter more time on a
   * 40 MB report. Each block is a new buffer, as a consumer may hold it until it is written.
   */
  *read(): Generator<ReportChunk> {
    const { fd } = this;
    if (fd === undefined) {
      yield* this.chunks;
      this.chunks = [];
      return;
    }
    this.writePending();
    this.fd = undefined;
    try {
      for (let position = 0; ; ) {
        const block = Buffer.allocUnsafe(READ_BLOCK);
        const read = fs.readSync(fd, block, 0, READ_BLOCK, position);
        if (read === 0) break;
        position += read;
        yield block.subarray(0, read);
      }
    } finally {
      fs.closeSync(fd);
    }
  }

  private writePending(): void {
    if (this.fd === undefined || this.pending === '') return;
    const bytes = Buffer.from(this.pending, 'utf8');
    this.pending = '';
    for (let written = 0; written < bytes.length; ) written += fs.writeSync(this.fd, bytes, written);
  }

  private moveToFile(): void {
    let dir: string | undefined;
    try {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-report-'));
      this.fd = fs.openSync(path.join(dir, 'spool'), 'w+', 0o600);
    } catch {
      // Nowhere to spool to: the text stays in memory, as it would have without a spool.
      this.inMemoryOnly = true;
      return;
    } finally {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    }
    this.pending = this.chunks.join('');
    this.chunks = [];
    this.writePending();
    this.characters = 0;
  }
}


/** Stands for the spooled array in the printed document (a string no item can produce: it holds NUL). */
const ARRAY_HERE = '\u0000dbops spooled array\u0000';

/**
 * The one long array of a JSON document printed as JSON.stringify(document, null, 2), written item
 * by item: each item goes to a spool as it comes, printed at the array's depth (`depth` levels of
 * two spaces), and the document around it is printed once at the end.
 */
export class SpooledJsonArray {
  private readonly spool: Spool;
  private count = 0;
  private readonly pad: string;

  constructor(
    private readonly depth: number,
    inMemoryCharacters?: number,
  ) {
    this.pad = '  '.repeat(depth);
    this.spool = new Spool(inMemoryCharacters);
  }

  get length(): number {
    return this.count;
  }

  add(item: unknown): void {
    // Split at \n only: a regular expression's ^ would also match after a raw U+2028 inside a string.
    this.spool.add(`${this.count > 0 ? ',\n' : ''}${this.pad}${JSON.stringify(item, null, 2).split('\n').join(`\n${this.pad}`)}`);
    this.count++;
  }

  /** The document, `print` given the array's place: it prints the whole document with that value where the array goes. */
  *document(print: (array: unknown) => string): Generator<ReportChunk> {
    if (this.count === 0) {
      yield print([]);
      return;
    }
    const [before, after] = print(ARRAY_HERE).split(JSON.stringify(ARRAY_HERE));
    const closing = '  '.repeat(this.depth - 1);
    const line = before.slice(before.lastIndexOf('\n') + 1);
    if (line.length - line.trimStart().length !== closing.length) throw new Error(`the spooled array is not at depth ${this.depth}, where its items were printed`);
    yield `${before}[\n`;
    yield* this.spool.read();
    yield `\n${closing}]${after}`;
  }
}
