import { scanSql, type ScanToken } from './parser';

/**
 * An operator-supplied SQL fragment (an expression, a SET list) re-emitted from the parser's own
 * tokens, so that what is later placed inside a generated statement is exactly the tokens that
 * were checked: comments dropped (a `--` can no longer swallow the text that follows), no `;`,
 * no `$n` (the generated statement's bind parameters are not the operator's), and every bracket
 * closed inside the fragment — it cannot close a parenthesis of the statement around it.
 */
export type CleanFragment = { ok: true; text: string; tokens: ScanToken[] } | { ok: false; problem: string };

const OPENING: Record<string, string> = { '(': ')', '[': ']' };
const CLOSING = new Set([')', ']']);

export function cleanFragment(raw: string): CleanFragment {
  let scanned: ScanToken[];
  try {
    scanned = scanSql(raw);
  } catch {
    return { ok: false, problem: 'a string, quoted identifier or comment is not terminated' };
  }
  const bytes = Buffer.from(raw, 'utf8');
  const tokens: ScanToken[] = [];
  let text = '';
  let gapStart = 0;
  const open: string[] = [];
  for (const t of scanned) {
    if (t.tokenName === 'SQL_COMMENT' || t.tokenName === 'C_COMMENT') continue;
    if (t.text === ';') return { ok: false, problem: 'it holds a ";" (more than one statement)' };
    if (t.tokenName === 'PARAM') return { ok: false, problem: `${t.text} is a bind parameter, which dbops supplies itself` };
    if (OPENING[t.text]) open.push(OPENING[t.text]);
    else if (CLOSING.has(t.text) && open.pop() !== t.text) return { ok: false, problem: `"${t.text}" closes a bracket it did not open` };
    // Whitespace between tokens matters only as "none", "some" or "a line break" ('a'\n'b' is one string).
    const gap = bytes.subarray(gapStart, t.start);
    if (tokens.length > 0 && gap.length > 0) text += gap.includes(0x0a) || gap.includes(0x0d) ? '\n' : ' ';
    text += t.text;
    tokens.push(t);
    gapStart = t.end;
  }
  if (open.length > 0) return { ok: false, problem: `a bracket is never closed (missing "${open[open.length - 1]}")` };
  if (tokens.length === 0) return { ok: false, problem: 'it is empty' };
  if (!sameTokens(tokens, rescan(text))) return { ok: false, problem: 'it does not read the same without its comments' };
  return { ok: true, text, tokens };
}

function rescan(text: string): ScanToken[] | null {
  try {
    return scanSql(text);
  } catch {
    return null;
  }
}

function sameTokens(a: ScanToken[], b: ScanToken[] | null): boolean {
  return b !== null && a.length === b.length && a.every((t, i) => t.text === b[i].text && t.tokenType === b[i].tokenType);
}

/** Whether a token at bracket depth 0 of the fragment has this text (e.g. a top-level comma). */
export function atTopLevel(tokens: ScanToken[], text: string): boolean {
  let depth = 0;
  for (const t of tokens) {
    if (OPENING[t.text]) depth++;
    else if (CLOSING.has(t.text)) depth--;
    else if (depth === 0 && t.text.toLowerCase() === text) return true;
  }
  return false;
}
