import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The installed dbops package: its root (where docs/ lives) and version. Found by walking up from
 * this file, because compiled code (dist/src/…) and tests run from source (src/…) sit at different depths.
 */
export interface PackageInfo {
  root: string;
  version: string;
  homepage?: string;
}

let cached: PackageInfo | undefined;

export function packageInfo(): PackageInfo {
  if (cached) return cached;
  let dir = __dirname;
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pjson = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string; homepage?: string };
      if (pjson.name === 'dbops') {
        cached = { root: dir, version: pjson.version ?? '0.0.0', homepage: pjson.homepage };
        return cached;
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the dbops package.json above ${__dirname}`);
    dir = parent;
  }
}
