import * as fs from 'node:fs';
import * as readline from 'node:readline';
import type { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { UsageError } from '../../core/errors';

/** Opens a file for reading as text, gunzipping it when it starts with gzip's magic bytes (whatever its name). */
export async function openText(file: string): Promise<Readable> {
  let fd: fs.promises.FileHandle;
  try {
    fd = await fs.promises.open(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message}`, 'check the path');
  }
  const head = Buffer.alloc(2);
  const { bytesRead } = await fd.read(head, 0, 2, 0);
  const stream = fd.createReadStream({ start: 0, highWaterMark: 1 << 20 });
  if (bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = zlib.createGunzip();
    stream.on('error', (e) => gunzip.destroy(e));
    gunzip.on('error', () => undefined);
    return stream.pipe(gunzip);
  }
  return stream;
}

/** Lines of a stream, one at a time (memory stays flat however long the file). */
export function lines(stream: Readable): AsyncIterable<string> {
  return readline.createInterface({ input: stream, crlfDelay: Infinity });
}

/** Reads a whole (small) SQL input: a file, or standard input as "-". */
export async function readAllText(file: string): Promise<string> {
  const stream = file === '-' ? process.stdin : await openText(file);
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  } catch (err) {
    throw new UsageError(`cannot read ${file === '-' ? 'standard input' : file}: ${(err as Error).message}`, 'check that it is a readable (optionally gzipped) text file');
  }
  const bytes = Buffer.concat(chunks);
  if (bytes.includes(0)) {
    throw new UsageError(`${file === '-' ? 'standard input' : file} is not a text file (it holds NUL bytes)`, 'pass SQL text files (optionally gzipped)');
  }
  return bytes.toString('utf8');
}
