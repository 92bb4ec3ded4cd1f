#!/usr/bin/env node
// The `ivs-mod` command. The CLI is TypeScript shared with the functions; tsx compiles it on load.
// Registered for the whole process, not as a namespaced require: esbuild (used by `transcript`) finds its
// binary from its own file name, which a namespaced require suffixes with a query string.
require('tsx/cjs/api').register();

require('./main.ts')
  .main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      console.error(error);
      process.exitCode = 70;
    },
  );
