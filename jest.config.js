const fs = require('node:fs');
const path = require('node:path');

/** Tests are TypeScript, transpiled only (type checking is `npm run typecheck`). */
module.exports = {
  testEnvironment: 'node',
  // Rule tests may sit beside their rule in rules/; jest refuses a root that does not exist.
  roots: ['test', 'rules'].filter((d) => fs.existsSync(path.join(__dirname, d))).map((d) => `<rootDir>/${d}`),
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  globalSetup: '<rootDir>/test/harness/global-setup.ts',
  globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
  testTimeout: 120000,
};
