import path from 'node:path';
import { build } from 'esbuild';
import { DEFAULT_POLICY_FILE, reviewPolicyPlugin } from './review-policy-plugin.js';

const ROOT = path.resolve(__dirname, '..');

/**
 * Bundles functions/review-message/handler.ts the way `sls package` does
 * (serverless.yml custom.esbuild: minified CJS for node22 with the policy
 * inlined) into `outfile`, for `npm start` and the benchmarks.
 */
export async function bundleReviewFunction(
  outfile: string,
  policyFile: string = DEFAULT_POLICY_FILE,
): Promise<{ outfile: string; bytes: number }> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: ['functions/review-message/handler.ts'],
    outfile,
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    sourcemap: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [reviewPolicyPlugin(policyFile, ROOT)],
  });
  const output = Object.entries(result.metafile.outputs).find(([file]) => file.endsWith('.js'));
  return { outfile, bytes: output?.[1].bytes ?? 0 };
}
