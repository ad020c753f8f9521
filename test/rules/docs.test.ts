/** Every rule has its docs page (the problem, the lock, examples, the safe recipe, suppression) and is in the index. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RULES } from '../../rules';
import { ruleMetas } from '../../src/lint/engine';
import { BUILT_IN_RULES } from '../../src/output/lint/model';
import { lint } from './helpers';

const root = path.resolve(__dirname, '..', '..');
const read = (p: string) => fs.readFileSync(path.join(root, p), 'utf8');

describe('rule docs', () => {
  it.each(ruleMetas().map((m) => [m.id, m] as const))('%s has a complete page', (id, meta) => {
    expect(meta.docs).toBe(`docs/rules/${id}.md`);
    const page = read(meta.docs);
    expect(page.startsWith(`# ${id}\n`)).toBe(true);
    for (const section of ['## The problem', '## Lock taken, and what readers and writers feel', '## Safe recipe', '## Version notes']) {
      expect(page).toContain(section);
    }
    expect(page).toContain('```sql');
    const rule = RULES.find((r) => r.meta.id === id);
    if (rule) {
      expect(page).toContain(`-- dbops-ignore: ${id} `);
      for (const sql of [...rule.examples.bad, ...rule.examples.good]) expect(page).toContain(sql);
    }
  });

  it('lists every rule in the index with its category and default severity', () => {
    const index = read('docs/rules/README.md');
    for (const m of ruleMetas()) expect(index).toContain(`| [\`${m.id}\`](${m.id}.md) | ${m.category} | ${m.defaultSeverity} | ${m.title} |`);
  });

  it('has no page for a rule that does not exist', () => {
    const pages = fs.readdirSync(path.join(root, 'docs/rules')).filter((f) => f !== 'README.md');
    const documented = [...ruleMetas(), ...BUILT_IN_RULES].filter((m) => m.docs === `docs/rules/${m.id}.md`);
    expect(pages.sort()).toEqual(documented.map((m) => `${m.id}.md`).sort());
  });
});

describe('safe recipes', () => {
  it.each(RULES.map((r) => [r.meta.id, r] as const))('the %s recipe passes its own rule', async (id, rule) => {
    const page = read(rule.meta.docs);
    const recipe = page.split('## Safe recipe')[1].split('```sql\n')[1].split('```')[0];
    const findings = (await lint(recipe, { severities: { [id]: 'error' } })).filter((f) => f.ruleId === id || f.ruleId === 'syntax-error');
    expect(findings.map((f) => `${f.ruleId}@${f.start.line}: ${f.message}`)).toEqual([]);
  });
});
