/**
 * `-- dbops-ignore: <rule-id>[, <rule-id>] <reason>` in the comments above a statement silences
 * those rules for that statement. The reason is required: a suppression is a decision someone
 * must be able to read later.
 */
import type { Position } from '../sql/source-text';

export interface Suppression {
  ruleIds: string[];
  reason: string;
  /** Where the comment is, for findings about the suppression itself. */
  start: Position;
  end: Position;
  used: Set<string>;
}

const MARKER = /dbops-ignore\s*:?/gi;

/**
 * Finds suppressions in a statement's leading comments. `triviaStart` is the character offset of
 * the trivia in the file and `position` converts offsets to line/column.
 */
export function parseSuppressions(trivia: string, triviaStart: number, position: (offset: number) => Position): Suppression[] {
  const out: Suppression[] = [];
  for (const m of trivia.matchAll(MARKER)) {
    // Lines end at \n, \r\n or a lone \r (see SourceText).
    const lineStart = Math.max(trivia.lastIndexOf('\n', m.index), trivia.lastIndexOf('\r', m.index)) + 1;
    const prefix = trivia.slice(lineStart, m.index);
    // Only inside a comment: "-- dbops-ignore" or "/* dbops-ignore".
    if (!/(--|\/\*)\s*$/.test(prefix)) continue;
    let end = trivia.slice(m.index).search(/[\r\n]/);
    end = end < 0 ? trivia.length : m.index + end;
    let rest = trivia.slice(m.index + m[0].length, end);
    const close = rest.indexOf('*/');
    if (close >= 0) rest = rest.slice(0, close);
    const parsed = /^\s*([A-Za-z0-9_-]+(?:\s*,\s*[A-Za-z0-9_-]+)*)(.*)$/s.exec(rest);
    const ruleIds = parsed ? parsed[1].split(',').map((s) => s.trim()) : [];
    const reason = (parsed ? parsed[2] : rest).replace(/^[\s:—–-]+/, '').trim();
    out.push({
      ruleIds,
      reason,
      start: position(triviaStart + lineStart + prefix.search(/(--|\/\*)\s*$/)),
      end: position(triviaStart + end),
      used: new Set(),
    });
  }
  return out;
}
