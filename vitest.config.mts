import path from 'node:path';
import { defineConfig } from 'vitest/config';
import { DEFAULT_POLICY_FILE } from './build/review-policy-plugin.js';
import { loadPolicyFile } from './shared/policy/load-policy-file.js';

const REVIEW_POLICY_ID = '\0review-policy';

export default defineConfig({
  plugins: [
    {
      // The same resolution the esbuild plugin does for bundles: `#review-policy` is the validated default policy.
      name: 'review-policy',
      resolveId: (id) => (id === '#review-policy' ? REVIEW_POLICY_ID : undefined),
      load(id) {
        if (id !== REVIEW_POLICY_ID) return undefined;
        const file = path.resolve(import.meta.dirname, DEFAULT_POLICY_FILE);
        this.addWatchFile(file);
        return `export default ${JSON.stringify(loadPolicyFile(file))};`;
      },
    },
  ],
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_DEV: 'false' },
  },
});
