import { readFileSync } from 'node:fs';
import { isNode, LineCounter, parseDocument } from 'yaml';
import { checkRegex } from '../rules/linear-regex.js';
import { resolveDomain } from './domains.js';
import { resolveLexicon } from './lexicons.js';
import type { PolicyDocument } from './policy-document.js';
import type { PolicyPath } from './validate-policy.js';
import { formatPolicyPath, validatePolicy } from './validate-policy.js';

export interface LocatedPolicyIssue {
  readonly path: string;
  readonly message: string;
  /** 1-based; absent when the problem is with the file as a whole. */
  readonly line?: number;
  readonly column?: number;
}

/** A policy file that cannot be used; `message` lists every problem as `file:line:column: path: what`. */
export class PolicyFileError extends Error {
  constructor(
    readonly file: string,
    readonly issues: readonly LocatedPolicyIssue[],
    options?: ErrorOptions,
  ) {
    super(issues.map((issue) => formatIssue(file, issue)).join('\n'), options);
    this.name = 'PolicyFileError';
  }
}

function formatIssue(file: string, { path, message, line, column }: LocatedPolicyIssue): string {
  const where = line === undefined ? file : `${file}:${line}:${column ?? 1}`;
  return `${where}: ${path}: ${message}`;
}

/** Parses and validates policy YAML text; `file` names it in errors. */
export function parsePolicy(text: string, file: string): PolicyDocument {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (document.errors.length > 0) {
    throw new PolicyFileError(
      file,
      document.errors.map((error) => {
        const position = lineCounter.linePos(error.pos[0]);
        return {
          path: '(syntax)',
          message: error.message.split('\n')[0] ?? error.code,
          line: position.line,
          column: position.col,
        };
      }),
    );
  }
  let raw: unknown;
  try {
    // The default alias limit stops "billion laughs" expansion.
    raw = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new PolicyFileError(file, [{ path: '(document)', message: String(error) }], { cause: error });
  }
  const result = validatePolicy(raw, { resolveLexicon, checkRegex, resolveDomain });
  if (result.ok) return result.policy;
  const located = result.issues.map((issue): LocatedPolicyIssue => {
    const offset = locate(document, issue.path);
    const position = offset === undefined ? undefined : lineCounter.linePos(offset);
    return {
      path: formatPolicyPath(issue.path),
      message: issue.message,
      ...(position === undefined ? {} : { line: position.line, column: position.col }),
    };
  });
  throw new PolicyFileError(
    file,
    located.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)),
  );
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

/** Offset of the deepest node along `path` that exists in the document. */
function locate(document: ReturnType<typeof parseDocument>, path: PolicyPath): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = document.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return undefined;
}
