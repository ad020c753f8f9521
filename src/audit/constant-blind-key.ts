/**
 * A cache key for SQL text that ignores what the real fingerprint ignores most often: literal
 * values, comments and whitespace. Two texts with the same key differ only in constants, so they
 * have the same fingerprint and the same joins, and the parser runs once for all of them. It is a
 * small lexer, not a parser: strings (with '' and E'\' escapes), dollar quotes, quoted
 * identifiers, comments and numbers that are not part of a name.
 */
const isIdentChar = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36 || c > 127;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13 || c === 12;

export function constantBlindKey(sql: string): string {
  const n = sql.length;
  let out = '';
  let copyFrom = 0;
  let i = 0;
  const flush = (to: number, replacement: string) => {
    out += sql.slice(copyFrom, to) + replacement;
  };
  while (i < n) {
    const c = sql.charCodeAt(i);
    const prev = i > 0 ? sql.charCodeAt(i - 1) : 32;
    if (isSpace(c)) {
      let j = i + 1;
      while (j < n && isSpace(sql.charCodeAt(j))) j++;
      flush(i, ' ');
      i = copyFrom = j;
    } else if (c === 45 && sql.charCodeAt(i + 1) === 45) {
      let j = i + 2;
      while (j < n && sql.charCodeAt(j) !== 10) j++;
      flush(i, ' ');
      i = copyFrom = j;
    } else if (c === 47 && sql.charCodeAt(i + 1) === 42) {
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        if (sql.charCodeAt(j) === 47 && sql.charCodeAt(j + 1) === 42) (depth++, (j += 2));
        else if (sql.charCodeAt(j) === 42 && sql.charCodeAt(j + 1) === 47) (depth--, (j += 2));
        else j++;
      }
      flush(i, ' ');
      i = copyFrom = j;
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
      flush(i, '?');
      i = copyFrom = j + 1;
    } else if (c === 34) {
      let j = i + 1;
      while (j < n) {
        if (sql.charCodeAt(j) === 34) {
          if (sql.charCodeAt(j + 1) === 34) j += 2;
          else break;
        } else j++;
      }
      i = j + 1;
    } else if (c === 36 && !isIdentChar(prev)) {
      const tagEnd = dollarTagEnd(sql, i);
      if (tagEnd < 0) {
        i++;
        continue;
      }
      const tag = sql.slice(i, tagEnd + 1);
      const close = sql.indexOf(tag, tagEnd + 1);
      const end = close < 0 ? n : close + tag.length;
      flush(i, '?');
      i = copyFrom = end;
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
      flush(i, '?');
      i = copyFrom = j;
    } else i++;
  }
  return out + sql.slice(copyFrom);
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
