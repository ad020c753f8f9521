import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../core/errors';
import { CONFIG_FILE_NAME } from '../config/load';
import { detectLayouts, type MigrationLayout } from '../migrations/layouts';
import { configText, PRE_COMMIT_HOOK, WORKFLOW } from './templates';
import { dbopsCommand } from '../core/dbops-command';

export interface InitOptions {
  /** The project root: where dbops.config.json goes. */
  root: string;
  /** Also write a git pre-commit hook. */
  hook?: boolean;
  /** Also write .github/workflows/dbops-lint.yml. */
  ci?: boolean;
  /** Asked before replacing a file that exists; false keeps it. */
  ask: (question: string) => Promise<boolean>;
}

export interface InitResult {
  layouts: MigrationLayout[];
  /** Paths relative to the root. */
  written: string[];
  kept: string[];
}

/**
 * `dbops init`: a commented dbops.config.json for the migration layout found, and on request a
 * pre-commit hook and a GitHub Actions workflow. A file that exists is replaced only when `ask`
 * says yes.
 */
export async function runInit(options: InitOptions): Promise<InitResult> {
  const layouts = detectLayouts(options.root);
  const files: Array<{ rel: string; text: string; mode?: number }> = [{ rel: CONFIG_FILE_NAME, text: configText(layouts) }];
  if (options.hook) files.push({ rel: path.relative(options.root, path.join(hooksDirectory(options.root), 'pre-commit')).split(path.sep).join('/'), text: PRE_COMMIT_HOOK, mode: 0o755 });
  if (options.ci) files.push({ rel: '.github/workflows/dbops-lint.yml', text: WORKFLOW });
  const result: InitResult = { layouts, written: [], kept: [] };
  for (const file of files) {
    const full = path.join(options.root, file.rel);
    if (fs.existsSync(full)) {
      if (fs.readFileSync(full, 'utf8') === file.text || !(await options.ask(`${file.rel} exists: replace it?`))) {
        result.kept.push(file.rel);
        continue;
      }
    }
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, file.text, file.mode === undefined ? undefined : { mode: file.mode });
    if (file.mode !== undefined) fs.chmodSync(full, file.mode);
    result.written.push(file.rel);
  }
  return result;
}

/** Where git runs hooks for this repository (core.hooksPath and worktrees included). */
function hooksDirectory(root: string): string {
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  const run = spawnSync('git', ['rev-parse', '--git-path', 'hooks'], { cwd: root, encoding: 'utf8' });
  if (run.error || run.status !== 0) {
    throw new UsageError(`--hook needs a git repository, and ${root} is not inside one`, `run ${dbopsCommand('init --hook')} from your repository (git init first), or leave --hook out`);
  }
  return path.resolve(root, run.stdout.trim());
}
