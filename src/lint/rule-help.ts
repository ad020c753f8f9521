import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../core/errors';
import type { RuleMeta, SeveritySetting } from './types';
import { dbopsCommand } from '../core/dbops-command';

/** `dbops lint --explain <id>`: the rule's docs page, docs/rules/<id>.md, as written. */
export function explainRule(id: string, docsRoot: string): string {
  const page = /^[a-z0-9-]+$/.test(id) ? path.join(docsRoot, 'docs', 'rules', `${id}.md`) : undefined;
  if (!page || !fs.existsSync(page)) {
    throw new UsageError(`unknown lint rule "${id}"`, `run \`${dbopsCommand('lint --list-rules')}\` to see the rule ids`);
  }
  return fs.readFileSync(page, 'utf8');
}

/** `dbops lint --list-rules`: one line per rule with the severity in effect here (config and --rule applied). */
export function listRules(rules: readonly RuleMeta[], severities: Record<string, SeveritySetting>): string {
  const rows = [...rules]
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((r) => [r.id, severities[r.id] ?? r.defaultSeverity, r.category, r.title]);
  const header = ['RULE', 'SEVERITY', 'CATEGORY', 'TITLE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (row: string[]) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ');
  return [line(header), ...rows.map(line), '', `Details: ${dbopsCommand('lint --explain <rule>')}`].join('\n') + '\n';
}
