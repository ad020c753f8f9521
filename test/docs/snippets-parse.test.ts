import { commandsOf, snippetsOf } from './snippets';
import { useTempTrees } from '../harness/temp-tree';

/** How test/docs/snippets.test.ts reads a page: a snippet it does not see is a snippet it does not check. */
describe('reading snippets from a markdown page', () => {
  const tree = useTempTrees('dbops-snippets-');

  it('finds fenced blocks, indented ones in list items too, with the exit codes their marker promises', () => {
    const page = [
      '# Page',
      '```',
      'npx dbops lint [PATHS...]',
      '```',
      '<!-- snippet: exit 0, 1 -->',
      '```sh',
      'npx dbops lint db/migrations   # a comment',
      '```',
      '- a list item:',
      '',
      '  ```sh',
      '  npx dbops report lag --primary "$PRIMARY" \\',
      '    --warn 5s',
      '  ```',
    ].join('\n');
    const root = tree({ 'page.md': page });
    const snippets = snippetsOf(root, 'page.md');
    expect(snippets.map(({ line, lang, exitCodes }) => ({ line, lang, exitCodes }))).toEqual([
      { line: 2, lang: '', exitCodes: [0] },
      { line: 6, lang: 'sh', exitCodes: [0, 1] },
      { line: 11, lang: 'sh', exitCodes: [0] },
    ]);
    expect(snippets[2].text).toBe('npx dbops report lag --primary "$PRIMARY" \\\n  --warn 5s');
  });

  it('splits a shell snippet into logical commands: continuations joined, comments and blank lines dropped', () => {
    const root = tree({
      'page.md': ['```sh', '# first', 'a --x \\', '  --y', '', 'b | # pipe', '  c', 'd && e   # trailing', '```'].join('\n'),
    });
    expect(commandsOf(snippetsOf(root, 'page.md')[0])).toEqual([
      { text: 'a --x \\\n  --y', line: 3 },
      { text: 'b | # pipe\n  c', line: 6 },
      { text: 'd && e   # trailing', line: 8 },
    ]);
  });

  it('refuses a marker it cannot read rather than ignoring it', () => {
    const root = tree({ 'page.md': ['<!-- snippet: exits 1 -->', '```sh', 'true', '```'].join('\n') });
    expect(() => snippetsOf(root, 'page.md')).toThrow(/page.md:1: unreadable snippet marker/);
  });
});
