import path from 'node:path';
import type { Plugin } from 'esbuild';
import { loadPolicyFile, PolicyFileError } from '../shared/policy/load-policy-file.js';
import type { PolicyDocument } from '../shared/policy/policy-document.js';

export const REVIEW_POLICY_MODULE = '#review-policy';
export const DEFAULT_POLICY_FILE = 'config/default-policy.yaml';
const REGEX_ENGINE = path.resolve(__dirname, '../shared/rules/linear-regex.ts');

/**
 * The source of `#review-policy`: the policy as data, and the regex engine only when the policy has regex
 * rules, so a bundle for a policy without them neither carries re2js (about 150 KB) nor pays for its import.
 */
export function reviewPolicyModuleSource(policy: PolicyDocument): string {
  const needsRegex = policy.rules.some((rule) => rule.kind === 'regex');
  return [
    `export default ${JSON.stringify(policy)};`,
    needsRegex
      ? `export { compileRegex } from ${JSON.stringify(REGEX_ENGINE)};`
      : 'export const compileRegex = undefined;',
  ].join('\n');
}

/**
 * Resolves `#review-policy` to the stage's policy file, validated now and
 * inlined as JSON (with the regex engine if it needs one), so a bad policy
 * fails the build with file, line and path, and the review function never
 * parses YAML at run time.
 */
export function reviewPolicyPlugin(policyFile: string, baseDirectory = process.cwd()): Plugin {
  const file = path.resolve(baseDirectory, policyFile);
  return {
    name: 'review-policy',
    setup(build) {
      build.onResolve({ filter: /^#review-policy$/ }, () => ({ path: file, namespace: 'review-policy' }));
      build.onLoad({ filter: /.*/, namespace: 'review-policy' }, () => {
        try {
          return {
            contents: reviewPolicyModuleSource(loadPolicyFile(file)),
            loader: 'js',
            resolveDir: path.dirname(file),
            watchFiles: [file],
          };
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
