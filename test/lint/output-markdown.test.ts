import { MARKDOWN_MARKER, escapeText, renderMarkdown } from '../../src/output/lint/markdown';
import type { LintRun } from '../../src/output/lint/model';
import { cleanRun, fixtureRun } from './fixtures/report';
import { expectGolden } from './golden';

/** The fixture run as the engine gives it with a stats file: locks on every statement finding, holds on the heavy ones. */
function runWithStats(): LintRun {
  const run = fixtureRun();
  const extra: Record<string, object> = {
    'column-type-rewrite': {
      lock: 'AccessExclusiveLock',
      hold: { table: 'public.orders', kind: 'rewrite', bytes: 40 * 1024 ** 3, tableBytes: 40 * 1024 ** 3, seconds: 842, lock: 'AccessExclusiveLock' },
    },
    'create-index-blocking': { lock: 'ShareLock' },
    'set-not-null-scan': {
      lock: 'AccessExclusiveLock',
      hold: { table: 'public.orders', kind: 'scan', bytes: 32 * 1024 ** 3, tableBytes: 40 * 1024 ** 3, seconds: 67, lock: 'AccessExclusiveLock' },
    },
  };
  return { ...run, report: { ...run.report, findings: run.report.findings.map((f) => ({ ...f, ...extra[f.ruleId] })) } };
}

describe('markdown output (pull request comments)', () => {
  it('groups findings by severity, with lock, estimated hold, and the statement and safe recipe collapsed', () => {
    const out = renderMarkdown(runWithStats());
    expectGolden('report.md', out);
    expect(out.startsWith(`${MARKDOWN_MARKER}\n`)).toBe(true);
    expect(out.indexOf('#### Errors')).toBeLessThan(out.indexOf('#### Warnings'));
    expect(out).toContain('**`migrations/0002_orders.sql:3`** · `column-type-rewrite` · AccessExclusiveLock · ~14 min on public.orders (40.0 GB)');
    expect(out.match(/<details>/g)).toHaveLength(5);
    expect(out.match(/<\/details>/g)).toHaveLength(5);
  });

  it('without a stats file there is no hold, and a clean run says so', () => {
    expect(renderMarkdown(fixtureRun())).not.toContain('~');
    expectGolden('clean.md', renderMarkdown(cleanRun()));
  });

  it('shows markdown and HTML in messages as written', () => {
    expect(escapeText('a_b *c* <script> `x` | [y]')).toBe('a\\_b \\*c\\* &lt;script&gt; \\`x\\` \\| \\[y\\]');
  });
});
