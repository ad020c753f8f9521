import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { collectInputs, displayPath } from '../../src/lint/inputs';
import { UsageError } from '../../src/core/errors';
import { useTempTrees } from '../harness/temp-tree';

function write(root: string, name: string, content: string | Buffer): void {
  fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
  fs.writeFileSync(path.join(root, name), content);
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });
}

describe('lint inputs', () => {
  const make = useTempTrees('dbops-inputs-');

  it('reads files relative to the current directory, stdin as <stdin>, empty files as empty text', async () => {
    const root = make();
    write(root, 'migrations/0001_a.sql', 'SELECT 1;');
    write(root, 'migrations/0002_empty.sql', '');
    const inputs = await collectInputs({ paths: ['migrations', '-'], cwd: root, readStdin: async () => Buffer.from('SELECT 2;') });
    expect(inputs.sources).toEqual([
      { path: 'migrations/0001_a.sql', text: 'SELECT 1;' },
      { path: 'migrations/0002_empty.sql', text: '' },
      { path: '<stdin>', text: 'SELECT 2;' },
    ]);
    expect(inputs.problems).toEqual([]);
  });

  it('turns binary files and missing paths into input findings and keeps the rest', async () => {
    const root = make();
    write(root, 'm/0001_a.sql', 'SELECT 1;');
    write(root, 'm/0002_blob.sql', Buffer.from([0xff, 0xfe, 0x53, 0x00]));
    const inputs = await collectInputs({ paths: ['m', 'missing.sql'], cwd: root, readStdin: async () => Buffer.from([0, 1]) });
    expect(inputs.sources.map((s) => s.path)).toEqual(['m/0001_a.sql']);
    expect(inputs.problems.map((p) => [p.file, p.category, p.severity, p.message])).toEqual([
      ['missing.sql', 'input', 'error', 'missing.sql does not exist'],
      ['m/0002_blob.sql', 'input', 'error', 'm/0002_blob.sql is a binary file (it contains NUL bytes), not SQL text'],
    ]);
    const withStdin = await collectInputs({ paths: ['-'], cwd: root, readStdin: async () => Buffer.from([0, 1]) });
    expect(withStdin.problems[0]).toMatchObject({ file: '<stdin>', message: expect.stringMatching(/^standard input is a binary file/) });
  });

  it('shows files outside the current directory by absolute path', () => {
    expect(displayPath('/a/b/c.sql', '/a')).toBe('b/c.sql');
    expect(displayPath('/x/c.sql', '/a')).toBe('/x/c.sql');
  });

  describe('--since', () => {
    let repo: string;
    beforeAll(() => {
      repo = make();
      git(repo, 'init', '-q', '-b', 'main');
      write(repo, 'db/0001_init.sql', 'CREATE TABLE a (id int);');
      write(repo, 'db/0002_b.sql', 'CREATE TABLE b (id int);');
      write(repo, 'db/0003_gone.sql', 'SELECT 1;');
      git(repo, 'add', '.');
      git(repo, 'commit', '-q', '-m', 'base');
      git(repo, 'tag', 'base');
      write(repo, 'db/0002_b.sql', 'CREATE TABLE b (id bigint);');
      write(repo, 'db/0010_committed.sql', 'SELECT 10;');
      git(repo, 'rm', '-q', 'db/0003_gone.sql');
      git(repo, 'add', '.');
      git(repo, 'commit', '-q', '-m', 'change');
      write(repo, 'db/0004_untracked.sql', 'SELECT 4;');
      write(repo, 'db/0004_untracked.down.sql', 'SELECT 4;');
      write(repo, 'other/0005_elsewhere.sql', 'SELECT 5;');
      write(repo, 'notes.txt', 'not sql');
    });

    it('lints only migrations added or changed since the ref, plus untracked ones, in migration order', async () => {
      const inputs = await collectInputs({ paths: ['db'], since: 'base', cwd: repo });
      expect(inputs.sources.filter((s) => !s.applied).map((s) => s.path)).toEqual(['db/0002_b.sql', 'db/0004_untracked.sql', 'db/0010_committed.sql']);
      // The unchanged migration before the first changed one comes along as history only.
      expect(inputs.sources.filter((s) => s.applied).map((s) => s.path)).toEqual(['db/0001_init.sql']);
      const everywhere = await collectInputs({ paths: [], since: 'base', cwd: repo });
      expect(everywhere.sources.map((s) => s.path)).toEqual(['db/0002_b.sql', 'db/0004_untracked.sql', 'other/0005_elsewhere.sql', 'db/0010_committed.sql']);
      const fromSubdir = await collectInputs({ paths: [], since: 'base', cwd: path.join(repo, 'other') });
      expect(fromSubdir.sources.map((s) => s.path)).toEqual(['0005_elsewhere.sql']);
    });

    it('warns when nothing changed', async () => {
      const inputs = await collectInputs({ paths: ['db/0001_init.sql'], since: 'HEAD', cwd: repo });
      expect(inputs.sources).toEqual([]);
      expect(inputs.warnings).toEqual(['no migrations changed since HEAD']);
    });

    it('rejects a bad ref and a directory outside git with one clear usage error', async () => {
      await expect(collectInputs({ paths: ['db'], since: 'no-such-branch', cwd: repo })).rejects.toThrow(UsageError);
      await expect(collectInputs({ paths: ['db'], since: 'no-such-branch', cwd: repo })).rejects.toThrow(/--since no-such-branch: no such commit, branch or tag/);
      const plain = make();
      await expect(collectInputs({ paths: ['.'], since: 'main', cwd: plain })).rejects.toThrow(/--since needs a git repository/);
    });
  });
});
