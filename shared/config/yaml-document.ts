import { isNode, LineCounter, parseDocument } from 'yaml';

/** A path inside a parsed document: mapping keys and list indexes. */
export type YamlPath = readonly (string | number)[];

/** A problem found in a YAML configuration file, placed where a reader finds it. */
export interface LocatedIssue {
  readonly path: string;
  readonly message: string;
  /** 1-based; absent when the problem is with the file as a whole. */
  readonly line?: number;
  readonly column?: number;
}

export interface YamlPosition {
  readonly line: number;
  readonly column: number;
}

export type YamlRead =
  | {
      readonly ok: true;
      readonly value: unknown;
      /** Where the deepest node along `path` that exists in the document starts. */
      readonly locate: (path: YamlPath) => YamlPosition | undefined;
    }
  | { readonly ok: false; readonly issues: readonly LocatedIssue[]; readonly cause?: unknown };

/**
 * Parses YAML text into plain data, keeping what is needed to point validation
 * problems at a line and column. Duplicate keys are syntax errors: a second
 * value silently winning is how configuration typos go unnoticed.
 */
export function readYaml(text: string): YamlRead {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (document.errors.length > 0) {
    return {
      ok: false,
      issues: document.errors.map((error) => {
        const position = lineCounter.linePos(error.pos[0]);
        return {
          path: '(syntax)',
          message: error.message.split('\n')[0] ?? error.code,
          line: position.line,
          column: position.col,
        };
      }),
    };
  }
  let value: unknown;
  try {
    // The default alias limit stops "billion laughs" expansion.
    value = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { ok: false, issues: [{ path: '(document)', message: String(error) }], cause: error };
  }
  const locate = (path: YamlPath): YamlPosition | undefined => {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = document.getIn(path.slice(0, depth), true);
      if (isNode(node) && node.range) {
        const position = lineCounter.linePos(node.range[0]);
        return { line: position.line, column: position.col };
      }
    }
    return undefined;
  };
  return { ok: true, value, locate };
}

/** Places validation issues in the document, in file order (issues with no place first). */
export function locateIssues(
  issues: readonly { readonly path: YamlPath; readonly message: string }[],
  locate: (path: YamlPath) => YamlPosition | undefined,
  formatPath: (path: YamlPath) => string,
): LocatedIssue[] {
  const located = issues.map((issue): LocatedIssue => {
    const position = locate(issue.path);
    return {
      path: formatPath(issue.path),
      message: issue.message,
      ...(position === undefined ? {} : { line: position.line, column: position.column }),
    };
  });
  return located.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

/** `file:line:column: path: what`, or `file: path: what` for the file as a whole. */
export function formatLocatedIssue(file: string, { path, message, line, column }: LocatedIssue): string {
  const where = line === undefined ? file : `${file}:${line}:${column ?? 1}`;
  return `${where}: ${path}: ${message}`;
}

/** Renders a path the way a reader finds it in the file: `rooms[2].tags.audience`. */
export function formatYamlPath(path: YamlPath): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`;
  return out === '' ? '(document)' : out;
}
