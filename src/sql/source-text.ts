/**
 * The parser reports UTF-8 byte offsets; editors and JavaScript strings use characters. A
 * SourceText converts between them and finds line/column (1-based) for any position.
 */
export interface Position {
  /** Character (UTF-16 code unit) offset into the text. */
  offset: number;
  line: number;
  column: number;
}

export class SourceText {
  readonly text: string;
  readonly byteLength: number;
  /** The UTF-8 bytes, encoded only when a byte range is sliced (files that do not parse). */
  private bytes?: Buffer;
  private readonly lineStarts: number[];
  /** byteToChar is built lazily: most files are ASCII, where the two agree. */
  private byteToCharMap?: Int32Array;
  /** Every character is one byte: byte and character offsets agree. */
  readonly isAscii: boolean;

  constructor(text: string) {
    this.text = text;
    this.byteLength = Buffer.byteLength(text, 'utf8');
    this.isAscii = this.byteLength === text.length;
    this.lineStarts = lineStarts(text);
  }

  charOffset(byteOffset: number): number {
    if (this.isAscii) return byteOffset;
    if (!this.byteToCharMap) this.byteToCharMap = buildByteToChar(this.text, this.byteLength);
    const clamped = Math.max(0, Math.min(byteOffset, this.byteLength));
    return this.byteToCharMap[clamped];
  }

  /** Text between two byte offsets. */
  sliceBytes(start: number, end: number): string {
    if (this.isAscii) return this.text.slice(start, end);
    this.bytes ??= Buffer.from(this.text, 'utf8');
    return this.bytes.subarray(start, end).toString('utf8');
  }

  position(charOffset: number): Position {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= charOffset) lo = mid;
      else hi = mid - 1;
    }
    return { offset: charOffset, line: lo + 1, column: charOffset - this.lineStarts[lo] + 1 };
  }

  lineText(line: number): string {
    const start = this.lineStarts[line - 1] ?? this.text.length;
    const end = line < this.lineStarts.length ? this.lineStarts[line] : this.text.length;
    return this.text.slice(start, end).replace(/\r?\n$|\r$/, '');
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }
}

/**
 * Where each line starts. A line ends at \n, \r\n or a lone \r, as in PostgreSQL's lexer (its
 * newline is [\n\r]) and in editors: a file saved with old Mac line endings has as many lines as
 * they show, not one.
 */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 10) starts.push(i + 1);
    else if (code === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

function buildByteToChar(text: string, byteLength: number): Int32Array {
  const map = new Int32Array(byteLength + 1);
  let byte = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.codePointAt(i)!;
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    for (let k = 0; k < size; k++) map[byte + k] = i;
    byte += size;
    if (code >= 0x10000) i++; // surrogate pair: one code point, two UTF-16 units
  }
  map[byteLength] = text.length;
  return map;
}

/** Skips whitespace and SQL comments (-- and nested /* *\/) from a character offset. */
export function skipTrivia(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') {
      i++;
    } else if (c === '-' && text[i + 1] === '-') {
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      let depth = 1;
      i += 2;
      while (i < text.length && depth > 0) {
        if (text[i] === '/' && text[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (text[i] === '*' && text[i + 1] === '/') {
          depth--;
          i += 2;
        } else i++;
      }
    } else break;
  }
  return i;
}
