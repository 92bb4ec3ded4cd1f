import path from 'node:path';
import type { BuildOptions } from 'esbuild';
import { build } from 'esbuild';
import { DEFAULT_POLICY_FILE, DEFAULT_ROOMS_MANIFEST, reviewPolicyPlugin } from './review-policy-plugin.js';

const ROOT = path.resolve(__dirname, '..');

/** The esbuild settings of serverless.yml custom.esbuild: what Lambda runs. */
export const LAMBDA_BUILD_OPTIONS = {
  bundle: true,
  minify: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  logLevel: 'silent',
} as const satisfies BuildOptions;

/**
 * Bundles a function's handler (`functions/<folder>/handler.ts`) the way `sls package` does
 * (serverless.yml custom.esbuild: minified CJS for node24 with the policy inlined) into `outfile`,
 * for `npm start`, the transcript command and the benchmarks.
 */
export async function bundleFunction(
  folder: string,
  outfile: string,
  policyFile: string = DEFAULT_POLICY_FILE,
  roomsManifest: string = DEFAULT_ROOMS_MANIFEST,
): Promise<{ outfile: string; bytes: number }> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [`functions/${folder}/handler.ts`],
    outfile,
    ...LAMBDA_BUILD_OPTIONS,
    sourcemap: false,
    metafile: true,
    plugins: [reviewPolicyPlugin(policyFile, ROOT, roomsManifest)],
  });
  const output = Object.entries(result.metafile.outputs).find(([file]) => file.endsWith('.js'));
  return { outfile, bytes: output?.[1].bytes ?? 0 };
}

/** The review function, bundled as `sls package` bundles it. */
export function bundleReviewFunction(
  outfile: string,
  policyFile: string = DEFAULT_POLICY_FILE,
  roomsManifest: string = DEFAULT_ROOMS_MANIFEST,
): Promise<{ outfile: string; bytes: number }> {
  return bundleFunction('review-message', outfile, policyFile, roomsManifest);
}
