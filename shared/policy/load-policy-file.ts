import { readFileSync } from 'node:fs';
import type { LocatedIssue } from '../config/yaml-document.js';
import { formatLocatedIssue, locateIssues, readYaml } from '../config/yaml-document.js';
import { checkRegex } from '../rules/linear-regex.js';
import { resolveDomain } from './domains.js';
import { resolveLexicon } from './lexicons.js';
import type { PolicyDocument } from './policy-document.js';
import { formatPolicyPath, validatePolicy } from './validate-policy.js';

export type LocatedPolicyIssue = LocatedIssue;

/** A policy file that cannot be used; `message` lists every problem as `file:line:column: path: what`. */
export class PolicyFileError extends Error {
  constructor(
    readonly file: string,
    readonly issues: readonly LocatedPolicyIssue[],
    options?: ErrorOptions,
  ) {
    super(issues.map((issue) => formatLocatedIssue(file, issue)).join('\n'), options);
    this.name = 'PolicyFileError';
  }
}

/** Parses and validates policy YAML text; `file` names it in errors. */
export function parsePolicy(text: string, file: string): PolicyDocument {
  const read = readYaml(text);
  if (!read.ok) {
    throw new PolicyFileError(
      file,
      read.issues,
      read.cause === undefined ? undefined : { cause: read.cause },
    );
  }
  const result = validatePolicy(read.value, { resolveLexicon, checkRegex, resolveDomain });
  if (result.ok) return result.policy;
  throw new PolicyFileError(file, locateIssues(result.issues, read.locate, formatPolicyPath));
}

/** Reads, parses and validates a policy file. Throws PolicyFileError. */
export function loadPolicyFile(file: string): PolicyDocument {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PolicyFileError(file, [{ path: '(file)', message: `cannot read: ${reason}` }], {
      cause: error,
    });
  }
  return parsePolicy(text, file);
}
