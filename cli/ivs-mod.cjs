#!/usr/bin/env node
// The `ivs-mod` command. The CLI is TypeScript shared with the functions; tsx compiles it on load.
const { require: requireTs } = require('tsx/cjs/api');

requireTs('./main.ts', __filename)
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
