import { RE2JS, RE2JSException } from 're2js';
import type { RegexCompiler } from './compile-policy.js';

/**
 * Policy regexes run on re2js, a JavaScript port of RE2: matching takes time
 * linear in the text whatever the pattern, so a policy author cannot write a
 * pattern that stalls review (catastrophic backtracking). The price is RE2's
 * syntax: no backreferences and no lookaround, which validation reports.
 */
export const compileRegex: RegexCompiler = (pattern, caseSensitive) => {
  const compiled = RE2JS.compile(pattern, caseSensitive ? 0 : RE2JS.CASE_INSENSITIVE);
  return (text) => {
    const spans: { start: number; end: number }[] = [];
    const matcher = compiled.matcher(text);
    while (matcher.find()) {
      const start = matcher.start();
      const end = matcher.end();
      // An empty match points at nothing a moderator could act on.
      if (end > start) spans.push({ start, end });
    }
    return spans;
  };
};

/** Why RE2 refuses `pattern`, or undefined when it compiles. */
export function checkRegex(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (error) {
    if (error instanceof RE2JSException)
      return `${error.message} (policy regexes use RE2 syntax, which runs in linear time: no backreferences or lookaround)`;
    throw error;
  }
}
