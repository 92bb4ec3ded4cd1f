import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { LAMBDA_BUILD_OPTIONS } from '../build/bundle-review-function.js';

/** This folder, whether this file runs from source (tsx) or from the bundled harness in .bench/. */
const BENCH_DIR = path.resolve(__dirname, '..', 'bench');

export type Engine = typeof import('./engine-entry.js');

/** Bundles bench/engine-entry.ts with the Lambda build settings and loads it. */
export function loadBundledEngine(): Engine {
  // Inside the repository (.bench/ is ignored by git): policy loading finds config/lexicons upward from the bundle.
  const parent = path.resolve(BENCH_DIR, '..', '.bench');
  mkdirSync(parent, { recursive: true });
  const directory = mkdtempSync(path.join(parent, 'engine-'));
  const outfile = path.join(directory, 'engine.js');
  try {
    buildSync({
      entryPoints: [path.join(BENCH_DIR, 'engine-entry.ts')],
      outfile,
      ...LAMBDA_BUILD_OPTIONS,
    });
    // Our own build output, whose exports are the entry's: typed by the entry module.
    const engine: Engine = require(outfile);
    return engine;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
