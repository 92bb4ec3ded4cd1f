import path from 'node:path';
import { loadPolicyFile } from '../../shared/policy/load-policy-file.js';
import { compilePolicy } from '../../shared/rules/compile-policy.js';

export const DEFAULT_POLICY_PATH = path.resolve(__dirname, '../../config/default-policy.yaml');

/** The shipped default policy, compiled as the review function compiles it. */
export const defaultPolicy = compilePolicy(loadPolicyFile(DEFAULT_POLICY_PATH));
