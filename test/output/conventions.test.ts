import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli, REPO_ROOT } from '../harness/cli';
import { HUMAN_FORMAT_ALIASES } from '../../src/output/formats';

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-var-requires */

/** Every command file under src/commands/, as the oclif command class it exports. */
function commandClasses(): Array<[string, any]> {
  const root = path.join(REPO_ROOT, 'src', 'commands');
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(dir, e.name));
      else if (e.name.endsWith('.ts')) files.push(path.join(dir, e.name));
    }
  };
  walk(root);
  return files.map((f) => [path.relative(root, f), require(f).default]);
}

describe('one output layer: format names, JSON envelope, SARIF (#10)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-output-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('every --format defaults to text, shows only its own formats, and accepts the old names', () => {
    const withFormat = commandClasses().filter(([, cls]) => cls.flags?.format ?? cls.baseFlags?.format);
    expect(withFormat.map(([file]) => file).sort()).toEqual(
      ['audit/queries.ts', 'backfill/run.ts', 'backfill/status.ts', 'lint.ts', 'migrate/index.ts', 'migrate/plan.ts', 'migrate/status.ts', 'report/connections.ts', 'report/lag.ts', 'report/workload.ts', 'sessions/idle.ts', 'timeouts/check.ts', 'timeouts/enforce.ts'].sort(),
    );
    for (const [file, cls] of withFormat) {
      const flag = cls.flags?.format ?? cls.baseFlags.format;
      expect({ file, default: flag.default }).toEqual({ file, default: 'text' });
      expect({ file, help: flag.helpValue }).toEqual({ file, help: expect.stringMatching(/^text\|/) });
      for (const old of HUMAN_FORMAT_ALIASES) {
        expect({ file, help: flag.helpValue.includes(old), accepted: flag.options.includes(old) }).toEqual({ file, help: false, accepted: true });
      }
    }
  });

  it('an old name of the human format prints exactly what text prints, with no warning', async () => {
    const sql = path.join(dir, 'q.sql');
    fs.writeFileSync(sql, 'SELECT * FROM a JOIN b ON b.id = a.b_id;\n');
    const text = await runCli(['audit', 'queries', '--file', sql, '--format', 'text']);
    expect(text.code).toBe(0);
    for (const old of HUMAN_FORMAT_ALIASES) {
      expect(await runCli(['audit', 'queries', '--file', sql, '--format', old])).toEqual(text);
    }
    const lintText = await runCli(['lint', sql, '--format', 'text']);
    expect(await runCli(['lint', sql, '--format', 'pretty'])).toEqual(lintText);
    expect(await runCli(['lint', sql])).toEqual(lintText);
  });

  it('JSON documents start with schemaVersion and tool (lint and audit alike)', async () => {
    const sql = path.join(dir, 'q.sql');
    fs.writeFileSync(sql, 'SELECT * FROM a JOIN b ON b.id = a.b_id;\n');
    const version = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version;
    for (const args of [['lint', sql], ['audit', 'queries', '--file', sql]]) {
      const doc = JSON.parse((await runCli([...args, '--format', 'json'])).stdout);
      expect(Object.keys(doc).slice(0, 2)).toEqual(['schemaVersion', 'tool']);
      expect({ args, schemaVersion: doc.schemaVersion, tool: doc.tool }).toEqual({ args, schemaVersion: 1, tool: { name: 'dbops', version } });
    }
  });

  it('SARIF from lint and audit: one frame, file paths as URI references', async () => {
    // A space in the path: SARIF wants a URI, so it is percent-encoded (audit printed it raw before).
    const sub = path.join(dir, 'with space');
    fs.mkdirSync(sub, { recursive: true });
    const sql = path.join(sub, 'q.sql');
    const joins = Array.from({ length: 12 }, (_, i) => `JOIN t${i + 2} ON t${i + 2}.id = t${i + 1}.next_id`).join(' ');
    fs.writeFileSync(sql, `CREATE INDEX i ON t (c);\nSELECT * FROM t1 ${joins};\n`);
    const logs = [JSON.parse((await runCli(['lint', sql, '--format', 'sarif'])).stdout), JSON.parse((await runCli(['audit', 'queries', '--file', sql, '--format', 'sarif'])).stdout)];
    for (const log of logs) {
      expect(Object.keys(log)).toEqual(['$schema', 'version', 'runs']);
      expect(log.version).toBe('2.1.0');
      const driver = log.runs[0].tool.driver;
      expect(driver.semanticVersion).toBe(driver.version);
      const uris = log.runs[0].results.map((r: any) => r.locations[0].physicalLocation.artifactLocation.uri);
      expect(uris.length).toBeGreaterThan(0);
      for (const uri of uris) expect(uri).toMatch(/with%20space\/q\.sql$/);
    }
  });
});
