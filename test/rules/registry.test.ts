/**
 * The registry (rules/index.ts) against the folder: every rule file is registered, once, under
 * the id its file is named after, and has its docs page. A rule file nobody registered would
 * silently never run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RULES } from '../../rules';
import type { Rule } from '../../src/lint/rule';

const root = path.resolve(__dirname, '..', '..');
const ruleFiles = fs
  .readdirSync(path.join(root, 'rules'))
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();

describe('rule registry', () => {
  it('finds rule files to check', () => {
    expect(ruleFiles.length).toBeGreaterThan(0);
  });

  it.each(ruleFiles)('rules/%s.ts is registered under its file name and documented', (name) => {
    const rule = (require(path.join(root, 'rules', name)) as { default?: Rule }).default;
    expect(rule?.meta?.id).toBe(name);
    expect(RULES.filter((r) => r === rule)).toHaveLength(1);
    expect(rule!.meta.docs).toBe(`docs/rules/${name}.md`);
    expect(fs.existsSync(path.join(root, rule!.meta.docs))).toBe(true);
  });

  it('registers nothing but those files, and no id twice', () => {
    expect(RULES.map((r) => r.meta.id).sort()).toEqual(ruleFiles);
  });
});
