/**
 * A cache key for SQL text that ignores what the real fingerprint ignores most often: literal
 * values, comments and whitespace. Two texts with the same key differ only in constants, so they
 * have the same fingerprint and the same joins, and the parser runs once for all of them.
 *
 * It is a small lexer, not a parser: strings (with '' and E'\' escapes), dollar quotes, quoted
 * identifiers, comments and numbers that are not part of a name. It hashes the normalised token
 * stream as it goes (two independent 32-bit hashes plus the length) instead of building the
 * normalised text, so a multi-kilobyte ORM query costs one pass and no allocation; with the few
 * thousand shapes an application has, a collision is as unlikely as one between
 * pg_stat_statements query ids.
 */
const isIdentChar = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36 || c > 127;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13 || c === 12;

const SPACE = 32;
const CONSTANT = 63; // '?'

export function constantBlindKey(sql: string): string {
  const n = sql.length;
  let h1 = 0x811c9dc5;
  let h2 = 0x2545f491;
  let len = 0;
  const emit = (c: number) => {
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 + c, 0x5bd1e995);
    h2 ^= h2 >>> 13;
    len++;
  };
  let prev = SPACE;
  let i = 0;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (isSpace(c)) {
      let j = i + 1;
      while (j < n && isSpace(sql.charCodeAt(j))) j++;
      emit(SPACE);
      i = j;
    } else if (c === 45 && sql.charCodeAt(i + 1) === 45) {
      let j = i + 2;
      while (j < n && sql.charCodeAt(j) !== 10) j++;
      emit(SPACE);
      i = j;
    } else if (c === 47 && sql.charCodeAt(i + 1) === 42) {
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        if (sql.charCodeAt(j) === 47 && sql.charCodeAt(j + 1) === 42) (depth++, (j += 2));
        else if (sql.charCodeAt(j) === 42 && sql.charCodeAt(j + 1) === 47) (depth--, (j += 2));
        else j++;
      }
      emit(SPACE);
      i = j;
    } else if (c === 39) {
      const backslashEscapes = (prev === 69 || prev === 101) && (i < 2 || !isIdentChar(sql.charCodeAt(i - 2)));
      let j = i + 1;
      while (j < n) {
        const d = sql.charCodeAt(j);
        if (backslashEscapes && d === 92) j += 2;
        else if (d === 39) {
          if (sql.charCodeAt(j + 1) === 39) j += 2;
          else break;
        } else j++;
      }
      emit(CONSTANT);
      i = j + 1;
    } else if (c === 34) {
      // Quoted identifier: part of the query's shape, hashed verbatim.
      emit(c);
      let j = i + 1;
      while (j < n) {
        const d = sql.charCodeAt(j);
        emit(d);
        if (d === 34) {
          if (sql.charCodeAt(j + 1) === 34) {
            emit(34);
            j += 2;
          } else break;
        } else j++;
      }
      i = j + 1;
    } else if (c === 36 && !isIdentChar(prev) && dollarTagEnd(sql, i) >= 0) {
      const tagEnd = dollarTagEnd(sql, i);
      const tag = sql.slice(i, tagEnd + 1);
      const close = sql.indexOf(tag, tagEnd + 1);
      emit(CONSTANT);
      i = close < 0 ? n : close + tag.length;
    } else if ((isDigit(c) || (c === 46 && isDigit(sql.charCodeAt(i + 1)))) && !isIdentChar(prev)) {
      let j = i;
      while (j < n && (isDigit(sql.charCodeAt(j)) || sql.charCodeAt(j) === 46)) j++;
      if ((sql.charCodeAt(j) | 32) === 101) {
        let k = j + 1;
        if (sql.charCodeAt(k) === 43 || sql.charCodeAt(k) === 45) k++;
        if (isDigit(sql.charCodeAt(k))) {
          j = k;
          while (j < n && isDigit(sql.charCodeAt(j))) j++;
        }
      }
      emit(CONSTANT);
      i = j;
    } else {
      emit(c);
      i++;
    }
    prev = sql.charCodeAt(i - 1);
  }
  return `${(h1 >>> 0).toString(36)}.${(h2 >>> 0).toString(36)}.${len}`;
}

/** End index of a dollar-quote opening tag ($$ or $tag$) starting at i, or -1 ($1 is a parameter). */
function dollarTagEnd(sql: string, i: number): number {
  let j = i + 1;
  if (sql.charCodeAt(j) === 36) return j;
  const first = sql.charCodeAt(j);
  if (!((first >= 97 && first <= 122) || (first >= 65 && first <= 90) || first === 95 || first > 127)) return -1;
  while (j < sql.length && isIdentChar(sql.charCodeAt(j)) && sql.charCodeAt(j) !== 36) j++;
  return sql.charCodeAt(j) === 36 ? j : -1;
}
