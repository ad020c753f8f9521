#!/usr/bin/env node
// Development entry: rebuilds nothing, but points oclif at the compiled tree the same way run.js does
// while reporting full stack traces, so `bin/dev.js lint …` after `npm run build` behaves like the
// installed CLI with --debug on.
process.env.DBOPS_DEBUG = process.env.DBOPS_DEBUG || '1';
require('../dist/src/cli/main').main(process.argv.slice(2));
