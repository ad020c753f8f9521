import type { MigrationLayout } from '../migrations/layouts';

const ORM_TOOLS = new Set(['knex', 'typeorm', 'sequelize', 'node-pg-migrate']);

const HOW: Record<MigrationLayout['tool'], string> = {
  prisma: 'Prisma Migrate: each <version>_<name>/migration.sql, in version order',
  drizzle: "Drizzle Kit's output: the .sql files in the order of meta/_journal.json",
  knex: "Knex migrations: dbops lint runs their up() against Knex's own SQL generation (never connects)",
  typeorm: "TypeORM migrations: dbops lint runs their up() with TypeORM's own PostgreSQL query runner (never connects)",
  sequelize: "Sequelize migrations: dbops lint runs their up() with Sequelize's own QueryInterface (never connects)",
  'node-pg-migrate': "node-pg-migrate migrations: dbops lint reads their SQL from node-pg-migrate's own MigrationBuilder",
  sql: 'SQL migrations, in version order',
};

/** A commented dbops.config.json (JSON with comments, which the loader accepts) for the layout found. */
export function configText(layouts: readonly MigrationLayout[]): string {
  const main = layouts[0];
  const lines = ['{', '  // dbops configuration (docs/configuration.md in the dbops package; npx dbops config show prints what is in effect).'];
  lines.push('  // PostgreSQL major version of the production server (11-18).', '  "pgVersion": 15,');
  lines.push('  "migrations": {');
  if (main) {
    lines.push(`    // ${HOW[main.tool]} (found ${main.evidence}).`);
    for (const other of layouts.slice(1)) lines.push(`    // Also found ${other.tool} (${other.evidence}): its migrations are in ${other.dir}.`);
    lines.push(`    "dir": ${JSON.stringify(main.dir)}`);
  } else {
    lines.push('    // No migrations found yet: where they will live (dbops lint lints this directory by default).', '    "dir": "migrations"');
  }
  lines.push('  },', '  "lint": {');
  if (main && ORM_TOOLS.has(main.tool)) lines.push('    // The tool of the JavaScript/TypeScript migrations (dbops guesses it otherwise).', `    "migrationTool": ${JSON.stringify(main.tool)},`);
  lines.push(
    '    // Production\'s table sizes: npx dbops stats snapshot --url "$DATABASE_URL" > dbops-stats.json',
    '    // then findings say how long a lock would be held, and rewrites of small tables are warnings.',
    '    // "statsFile": "dbops-stats.json",',
    '    // "sizeThresholds": { "warningBelow": "10MB" },',
    '    // Linting a whole history at once? Only tables created earlier in the same file are new:',
    '    // "newTables": "file",',
    '    // Rule severities: "off", "warning" or "error" (npx dbops lint --list-rules).',
    '    "rules": {}',
    '  }',
    '}',
  );
  return lines.join('\n') + '\n';
}

/** The pre-commit hook: lint the migrations changed in the working tree before each commit. */
export const PRE_COMMIT_HOOK = `#!/bin/sh
# Written by dbops init: lint the migrations changed since the last commit (staged or not).
# Skip once with: git commit --no-verify
exec npx --no-install dbops lint --since HEAD
`;

/** The GitHub Actions workflow: one pull request comment, updated on every push (docs/commands/lint.md). */
export const WORKFLOW = `name: dbops lint
on: pull_request
permissions:
  contents: read
  pull-requests: write
jobs:
  dbops-lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with: { fetch-depth: 0 }
      - uses: actions/setup-node@v4
        with: { node-version: 20 }
      - run: npm ci
      - id: lint
        run: npx dbops lint --since origin/\${{ github.base_ref }} --format markdown > dbops-lint.md
        continue-on-error: true
      - uses: actions/github-script@v7
        with:
          script: |
            const body = require('fs').readFileSync('dbops-lint.md', 'utf8');
            const { owner, repo } = context.repo;
            const issue_number = context.issue.number;
            const comments = await github.paginate(github.rest.issues.listComments, { owner, repo, issue_number });
            const mine = comments.find((c) => c.user.type === 'Bot' && c.body.startsWith('<!-- dbops-lint -->'));
            if (mine) await github.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body });
            else await github.rest.issues.createComment({ owner, repo, issue_number, body });
      - if: steps.lint.outcome == 'failure'
        run: exit 1
`;
