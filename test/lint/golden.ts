import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Compares output with test/lint/golden/<name>. To accept new output after an intended change:
 *   UPDATE_GOLDEN=1 npx jest test/lint/output
 * then review the diff of test/lint/golden/ before committing.
 */
export function expectGolden(name: string, actual: string): void {
  const file = path.join(__dirname, 'golden', name);
  if (process.env.UPDATE_GOLDEN === '1') {
    fs.writeFileSync(file, actual);
    return;
  }
  if (!fs.existsSync(file)) throw new Error(`missing golden file ${file}: run UPDATE_GOLDEN=1 npx jest test/lint/output`);
  expect(actual).toBe(fs.readFileSync(file, 'utf8'));
}
