/**
 * The engine as the benchmark loads it: bundled and minified by esbuild, the
 * way the review function ships (see engine-bundle.ts), not through tsx's
 * module interop.
 */
export { loadPolicyFile } from '../shared/policy/load-policy-file.js';
export { reviewMessage } from '../shared/review/review-message.js';
export { compilePolicy } from '../shared/rules/compile-policy.js';
export { evaluateMessage } from '../shared/rules/evaluate.js';
