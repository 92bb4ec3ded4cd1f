/**
 * `#review-policy` is the stage's policy file, validated at build time and
 * inlined into the review bundle as JSON (build/review-policy-plugin.ts; the
 * vitest config resolves it the same way).
 */
declare module '#review-policy' {
  const policy: import('./policy-document.js').PolicyDocument;
  export default policy;
}
