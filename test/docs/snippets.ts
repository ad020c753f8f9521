import * as fs from 'node:fs';
import * as path from 'node:path';

/** A fenced code block of a markdown page. */
export interface Snippet {
  /** Repository-relative path of the page. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The fence's info string (`sh`, `json`, … or '' for a plain block). */
  lang: string;
  text: string;
  /** Exit codes the page promises for its commands: `<!-- snippet: exit 0,1 -->` on the line above the fence; default 0. */
  exitCodes: number[];
}

/** A shell snippet's logical commands: `\`-continued and `&&`/`||`/`|`-continued lines joined, comments and blank lines dropped. */
export interface Command {
  text: string;
  /** 1-based line in the page. */
  line: number;
}

const MARKER = /^<!--\s*snippet:\s*exit\s+([\d,\s]+)-->\s*$/;

/** README.md and every page under docs/, in a stable order. */
export function docPages(root: string): string[] {
  const walk = (dir: string): string[] =>
    fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
      const rel = `${dir}/${e.name}`;
      return e.isDirectory() ? walk(rel) : e.name.endsWith('.md') ? [rel] : [];
    });
  return ['README.md', ...walk('docs').sort()];
}

export function snippetsOf(root: string, file: string): Snippet[] {
  const lines = fs.readFileSync(path.join(root, file), 'utf8').split('\n');
  const out: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    // Fences may be indented (inside a list item); the content loses that indentation.
    const open = /^( *)(`{3,})\s*([\w+-]*)/.exec(lines[i]);
    if (!open) continue;
    const indent = open[1].length;
    const end = lines.findIndex((l, j) => j > i && l.trim() === open[2]);
    if (end < 0) throw new Error(`${file}:${i + 1}: code fence never closed`);
    const marker = i > 0 ? MARKER.exec(lines[i - 1].trim()) : null;
    if (i > 0 && /<!--\s*snippet/.test(lines[i - 1]) && !marker) throw new Error(`${file}:${i}: unreadable snippet marker (expected <!-- snippet: exit 0,1 -->)`);
    out.push({
      file,
      line: i + 1,
      lang: open[3].toLowerCase(),
      text: lines.slice(i + 1, end).map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length))).join('\n'),
      exitCodes: marker ? marker[1].split(',').map((c) => Number(c.trim())) : [0],
    });
    i = end;
  }
  return out;
}

export function commandsOf(snippet: Snippet): Command[] {
  const lines = snippet.text.split('\n');
  const out: Command[] = [];
  let current: Command | undefined;
  lines.forEach((raw, i) => {
    const line = raw.trimEnd();
    if (!current && (line.trim() === '' || line.trim().startsWith('#'))) return;
    if (current) current.text += `\n${line}`;
    else current = { text: line, line: snippet.line + 1 + i };
    const code = line.replace(/\s+#.*$/, '');
    if (!/(\\|&&|\|\||\|)$/.test(code)) {
      out.push(current);
      current = undefined;
    }
  });
  if (current) out.push(current);
  return out;
}
