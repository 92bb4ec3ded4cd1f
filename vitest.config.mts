import os from 'node:os';
import path from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// The project is CommonJS TypeScript; tsx loads it here rather than the config bundler.
const { loadPolicyFile } = await tsImport('./shared/policy/load-policy-file.ts', import.meta.url);
const { DEFAULT_POLICY_FILE, DEFAULT_ROOMS_MANIFEST, loadRoomPolicies, reviewPolicyModuleSource } =
  await tsImport('./build/review-policy-plugin.ts', import.meta.url);
const { loadRoomManifest } = await tsImport('./shared/rooms/load-room-manifest.ts', import.meta.url);

/**
 * The files that take longest (measured on a 2-core CI machine, about longest first): they start first, so that
 * the short files fill the other worker around them rather than one long file running alone at the end. On a
 * fresh clone vitest has no durations to order by (it starts larger files first, and these are small).
 */
const SLOW_FILES = [
  // The files that start `sls` again and again (CPU-bound) alternate with files that mostly wait (on the
  // emulator's paced quotas and clocks): two of the first kind side by side took three times as long.
  'test/functions/moderate-chat-logs/invoke-local.test.ts',
  'test/shared/rooms/reconcile-fleet.test.ts',
  'test/functions/moderator-api/invoke-local.test.ts',
  'test/local/stack-enforcement.test.ts',
  'test/functions/review-message/invoke-local.test.ts',
  'test/local/moderator-view.test.ts',
  'test/local/stack-moderation.test.ts',
  'test/deploy/template.test.ts',
  'test/functions/moderate-chat-logs/faults.test.ts',
  'test/functions/issue-chat-token/faults.test.ts',
  'test/cli/reconcile.test.ts',
  'test/local/stack.test.ts',
  'test/functions/reconcile-rooms/invoke-local.test.ts',
  'test/local/web-page.test.ts',
  'test/functions/moderator-api/faults.test.ts',
  'test/local/load.test.ts',
  'test/functions/review-message/faults.test.ts',
  'test/cli/ivs-mod.test.ts',
  'test/local/stack-held.test.ts',
  'test/functions/moderate-chat-stream/invoke-local.test.ts',
];

class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const index = SLOW_FILES.indexOf(path.relative(import.meta.dirname, file.moduleId));
      return index < 0 ? SLOW_FILES.length : index;
    };
    // Array.prototype.sort is stable: the other files keep vitest's own order after these.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

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
    // vitest's default is one worker less than the cores: one on a 2-core CI machine, every file in turn. Many
    // files mostly wait (on the emulator's paced quotas, retries' backoff, timeouts, a browser, child processes),
    // so at least two workers, to keep both cores busy.
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
    sequence: { sequencer: SlowFirstSequencer },
    // The local stack bundles every function as `sls package` does before a test can start.
    hookTimeout: 60_000,
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_DEV: 'false', POWERTOOLS_METRICS_DISABLED: 'true' },
  },
});
