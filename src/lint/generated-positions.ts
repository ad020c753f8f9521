import { SourceText } from '../sql/source-text';
import type { GeneratedSql } from './inputs';
import type { Finding } from './types';

/**
 * A finding on SQL recorded from a JavaScript/TypeScript migration, moved to the migration file:
 * the line that produced the statement when the stack showed it, else the file's first line.
 * The statement (the SQL) stays on the finding, so outputs still show it.
 */
export function pointAtMigrationFile(finding: Finding, generated: GeneratedSql): Finding {
  let line: number | undefined;
  for (const start of generated.starts) {
    if (start.offset > finding.start.offset) break;
    line = start.line;
  }
  const source = new SourceText(generated.fileText);
  const lineNumber = Math.min(line ?? 1, source.lineCount);
  const text = source.lineText(lineNumber);
  const indent = text.length - text.trimStart().length;
  const offset = source.text.split('\n').slice(0, lineNumber - 1).reduce((n, l) => n + l.length + 1, 0);
  const start = { offset: offset + indent, line: lineNumber, column: indent + 1 };
  const end = { offset: offset + text.length, line: lineNumber, column: text.length + 1 };
  return { ...finding, start, end };
}
