import path from 'node:path';
import type { Plugin } from 'esbuild';
import { loadPolicyFile, PolicyFileError } from '../shared/policy/load-policy-file.js';

export const REVIEW_POLICY_MODULE = '#review-policy';
export const DEFAULT_POLICY_FILE = 'config/default-policy.yaml';

/**
 * Resolves `#review-policy` to the stage's policy file, validated now and
 * inlined as JSON, so a bad policy fails the build with file, line and path,
 * and the review function never parses YAML at run time.
 */
export function reviewPolicyPlugin(policyFile: string, baseDirectory = process.cwd()): Plugin {
  const file = path.resolve(baseDirectory, policyFile);
  return {
    name: 'review-policy',
    setup(build) {
      build.onResolve({ filter: /^#review-policy$/ }, () => ({ path: file, namespace: 'review-policy' }));
      build.onLoad({ filter: /.*/, namespace: 'review-policy' }, () => {
        try {
          return { contents: JSON.stringify(loadPolicyFile(file)), loader: 'json', watchFiles: [file] };
        } catch (error) {
          if (!(error instanceof PolicyFileError)) throw error;
          return {
            errors: error.issues.map((issue) => ({
              text: `${issue.path}: ${issue.message}`,
              location: issueLocation(file, issue),
            })),
          };
        }
      });
    },
  };
}

function issueLocation(file: string, issue: { line?: number; column?: number }) {
  return issue.line === undefined
    ? { file }
    : { file, line: issue.line, column: Math.max(0, (issue.column ?? 1) - 1) };
}
