#!/usr/bin/env node
// A reader that goes away (`dbops lint | head`) closes the pipe: the rest of the output is
// dropped and the command still ends with its own exit code, instead of a crash on EPIPE.
process.stdout.on('error', (err) => {
  if (err.code !== 'EPIPE') throw err;
});
const argv = process.argv.slice(2);
// `dbops lint` runs from one bundled file when the build made it (src/cli/lint-bundle.ts);
// everything else, and a lint the bundle hands on, runs main.ts.
const bundled = argv[0] === 'lint' ? require('../dist/src/cli/lint-bundle').runLintBundle(argv) : Promise.resolve(undefined);
bundled.then((code) => {
  if (code === undefined) return require('../dist/src/cli/main').main(argv);
  process.exitCode = code;
});
