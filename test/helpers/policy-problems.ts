import { PolicyFileError, parsePolicy } from '../../shared/policy/load-policy-file.js';

/** Every problem validation reports for policy `text`, as `path: message`; empty when it is valid. */
export function policyProblems(text: string, file = 'policy.yaml'): string[] {
  try {
    parsePolicy(text, file);
    return [];
  } catch (error) {
    if (error instanceof PolicyFileError)
      return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
    throw error;
  }
}
