import { parsePolicy } from '../../shared/policy/load-policy-file.js';
import type { CompiledPolicy } from '../../shared/rules/compile-policy.js';
import { compilePolicy } from '../../shared/rules/compile-policy.js';

/**
 * A small policy for the consumers' tests: `slurword` denied, more than 3 messages in 10 s a flood, delivered
 * messages re-checked, and a ladder of warn, a 10-minute timeout, disconnect, ban.
 */
export function enforcementPolicy(mode: 'enforce' | 'shadow' = 'enforce'): CompiledPolicy {
  return compilePolicy(
    parsePolicy(
      `version: 1
name: enforcement
rules:
  - { id: slurs, kind: terms, action: deny, severity: high, reason: No slurs., terms: [slurword] }
enforcement:
  mode: ${mode}
  flood: { maxMessages: 3, windowSeconds: 10 }
  recheck: true
  ladder:
    - { strikes: 1, action: warn }
    - { strikes: 2, action: timeout, minutes: 10 }
    - { strikes: 3, action: disconnect }
    - { strikes: 4, action: ban }
`,
      'enforcement.yaml',
    ),
  );
}
