import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Temporary directory trees for tests, removed after the describe block:
 *   const tree = useTempTrees('dbops-lint-');
 *   const root = tree({ 'migrations/0001_a.sql': 'SELECT 1;' });
 * Paths are real paths (no symlinks), so they compare equal to what git and realpath report.
 */
export function useTempTrees(prefix: string): (files?: Record<string, string | Buffer>) => string {
  const roots: string[] = [];
  afterAll(() => roots.forEach((root) => fs.rmSync(root, { recursive: true, force: true })));
  return (files = {}) => {
    const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
    roots.push(root);
    for (const [name, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
      fs.writeFileSync(path.join(root, name), content);
    }
    return root;
  };
}
