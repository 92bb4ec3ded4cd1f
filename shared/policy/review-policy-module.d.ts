/**
 * `#review-policy` is the stage's policy file, validated at build time and
 * inlined into the review bundle as JSON, with the regex engine when its
 * rules need one (build/review-policy-plugin.ts; the
 * vitest config resolves it the same way).
 */
declare module '#review-policy' {
  const policy: import('./policy-document.js').PolicyDocument;
  export default policy;
  /** Present when the policy has regex rules. */
  export const compileRegex: import('../rules/compile-policy.js').RegexCompiler | undefined;
}
