import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleReviewFunction } from '../build/bundle-review-function.js';
import { isRecord } from '../shared/guards.js';
import { percentile } from './timing.js';

export interface Spread {
  readonly medianMs: number;
  readonly p90Ms: number;
}

export interface BundleResult {
  readonly bytes: number;
  readonly samples: number;
  /** `require` of the bundle in a fresh process. */
  readonly importTime: Spread;
  /** The first `handler(event, context)` after import: lazy compilation, first log, middy setup. */
  readonly firstCall: Spread;
  /** The call after it, for contrast with a warm invocation. */
  readonly secondCall: Spread;
}

// From source (tsx) or from the bundled harness in .bench/: either way the probe is in bench/.
const PROBE = path.resolve(__dirname, '..', 'bench', 'import-probe.cjs');
const MARKER = 'IMPORT_PROBE ';

/** Builds the review bundle as `sls package` would and times its cold start in `samples` fresh processes. */
export async function measureReviewBundle(samples: number): Promise<BundleResult> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'ivs-mod-bench-'));
  try {
    const { outfile, bytes } = await bundleReviewFunction(path.join(directory, 'handler.js'));
    const probes = Array.from({ length: samples }, () => runProbe(outfile));
    const spread = (values: number[]): Spread => {
      const sorted = values.sort((a, b) => a - b);
      return { medianMs: percentile(sorted, 0.5), p90Ms: percentile(sorted, 0.9) };
    };
    return {
      bytes,
      samples,
      importTime: spread(probes.map((probe) => probe.importMs)),
      firstCall: spread(probes.map((probe) => probe.firstCallMs)),
      secondCall: spread(probes.map((probe) => probe.secondCallMs)),
    };
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

interface Probe {
  readonly importMs: number;
  readonly firstCallMs: number;
  readonly secondCallMs: number;
}

function runProbe(outfile: string): Probe {
  const child = spawnSync(process.execPath, [PROBE, outfile], {
    encoding: 'utf8',
    // Lambda's settings for the review function, so the logger does the same work as deployed.
    env: { ...process.env, POWERTOOLS_SERVICE_NAME: 'ivs-chat-moderation', POWERTOOLS_LOG_LEVEL: 'INFO' },
  });
  if (child.status !== 0) throw new Error(`import probe failed (${child.status}): ${child.stderr}`);
  const line = child.stdout.split('\n').find((text) => text.startsWith(MARKER));
  const parsed: unknown = line === undefined ? undefined : JSON.parse(line.slice(MARKER.length));
  if (
    !isRecord(parsed) ||
    typeof parsed.importMs !== 'number' ||
    typeof parsed.firstCallMs !== 'number' ||
    typeof parsed.secondCallMs !== 'number'
  ) {
    throw new Error(`import probe printed no result:\n${child.stdout}\n${child.stderr}`);
  }
  if (parsed.reviewResult !== 'ALLOW') throw new Error(`probe message was not allowed: ${line}`);
  return { importMs: parsed.importMs, firstCallMs: parsed.firstCallMs, secondCallMs: parsed.secondCallMs };
}
