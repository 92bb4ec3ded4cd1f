import path from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { defineConfig } from 'vitest/config';

// The project is CommonJS TypeScript; tsx loads it here rather than the config bundler.
const { loadPolicyFile } = await tsImport('./shared/policy/load-policy-file.ts', import.meta.url);
const { DEFAULT_POLICY_FILE, DEFAULT_ROOMS_MANIFEST, loadRoomPolicies, reviewPolicyModuleSource } =
  await tsImport('./build/review-policy-plugin.ts', import.meta.url);
const { loadRoomManifest } = await tsImport('./shared/rooms/load-room-manifest.ts', import.meta.url);

const REVIEW_POLICY_ID = '\0review-policy';
const ROOMS_MANIFEST_ID = '\0rooms-manifest';

export default defineConfig({
  plugins: [
    {
      // The same resolution the esbuild plugin does for bundles: `#review-policy` is the validated default policy.
      name: 'review-policy',
      resolveId: (id) =>
        id === '#review-policy' ? REVIEW_POLICY_ID : id === '#rooms-manifest' ? ROOMS_MANIFEST_ID : undefined,
      load(id) {
        const manifestFile = path.resolve(import.meta.dirname, DEFAULT_ROOMS_MANIFEST);
        if (id === ROOMS_MANIFEST_ID) {
          this.addWatchFile(manifestFile);
          return `export default ${JSON.stringify(loadRoomManifest(manifestFile))};`;
        }
        if (id !== REVIEW_POLICY_ID) return undefined;
        const file = path.resolve(import.meta.dirname, DEFAULT_POLICY_FILE);
        this.addWatchFile(file);
        return reviewPolicyModuleSource(
          loadPolicyFile(file),
          loadRoomPolicies(loadRoomManifest(manifestFile)),
        );
      },
    },
  ],
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    // The local stack bundles every function as `sls package` does before a test can start.
    hookTimeout: 60_000,
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_DEV: 'false', POWERTOOLS_METRICS_DISABLED: 'true' },
  },
});
