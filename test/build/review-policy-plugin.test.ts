import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { bundleReviewFunction } from '../../build/bundle-review-function.js';
import { reviewPolicyPlugin } from '../../build/review-policy-plugin.js';
import { REPO_ROOT } from '../helpers/run-command.js';

describe('review policy build plugin', () => {
  it('inlines the validated policy into the review bundle, without YAML or zod', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'review-bundle-'));
    const { outfile, bytes } = await bundleReviewFunction(path.join(directory, 'handler.js'));
    const code = readFileSync(outfile, 'utf8');
    expect(bytes).toBe(Buffer.byteLength(code));
    expect(code).toContain('"fuck*"');
    expect(code).not.toMatch(/LineCounter|parseDocument|ZodError/);
    // The default policy has no regex rules: the regex engine stays out of the bundle.
    expect(code).not.toContain('RE2JS');
  });

  it('bundles the regex engine only for a policy with regex rules', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'review-bundle-'));
    const { outfile } = await bundleReviewFunction(
      path.join(directory, 'handler.js'),
      'test/fixtures/policies/every-kind.yaml',
    );
    const code = readFileSync(outfile, 'utf8');
    expect(code).toContain('RE2JS');
    expect(code).toContain('phone-numbers');
  });

  it('fails the build with the file, line and path of a policy problem', async () => {
    const failure = build({
      stdin: { contents: "import policy from '#review-policy'; console.log(policy);", resolveDir: REPO_ROOT },
      bundle: true,
      write: false,
      logLevel: 'silent',
      plugins: [reviewPolicyPlugin('test/fixtures/policies/invalid.yaml', REPO_ROOT)],
    });
    await expect(failure).rejects.toThrow(
      /invalid\.yaml:6:\d+: ERROR: \[plugin: review-policy\] rules\[0\]\.action: must be one of deny, hold, mask/,
    );
  });
});
