import { isRecord } from '../shared/guards.js';

/**
 * The log lines the project's functions print while the local stack runs them in this process: what CloudWatch
 * Logs would keep for each function. The functions log through Powertools (one JSON object a line, with
 * `function_name` once the Lambda context is injected, and metrics as embedded-metric-format lines with `_aws`);
 * those lines are taken out of stdout and stderr and kept, everything else passes through.
 */

export interface FunctionLogs {
  /** Every function log line so far, parsed. */
  readonly entries: readonly Readonly<Record<string, unknown>>[];
  /** Puts stdout back. */
  stop(): void;
}

export function captureFunctionLogs(): FunctionLogs {
  const entries: Record<string, unknown>[] = [];
  // Powertools writes INFO and DEBUG to stdout, WARN and ERROR to stderr.
  const restore = [process.stdout, process.stderr].map((stream) => intercept(stream, entries));
  return {
    entries,
    stop: () => {
      for (const put of restore) put();
    },
  };
}

/** Takes function log lines out of what `stream` writes; returns how to put the stream back. */
function intercept(stream: NodeJS.WriteStream, entries: Record<string, unknown>[]): () => void {
  const original = stream.write;
  let partial = '';
  const write = (chunk: unknown, ...rest: unknown[]): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '';
    const lines = `${partial}${text}`.split('\n');
    partial = lines.pop() ?? '';
    const passed = lines.filter((line) => {
      const entry = functionLogEntry(line);
      if (entry === undefined) return true;
      entries.push(entry);
      return false;
    });
    const callback = rest.find((argument) => typeof argument === 'function');
    const done = (error?: Error | null) => {
      if (typeof callback === 'function') callback(error);
    };
    if (passed.length > 0) return original.call(stream, `${passed.join('\n')}\n`, 'utf8', done);
    queueMicrotask(() => done());
    return true;
  };
  // The overloads of write() cannot be spelled by a function that accepts them all.
  stream.write = write as typeof stream.write;
  return () => {
    stream.write = original;
    if (partial !== '') original.call(stream, partial);
  };
}

function functionLogEntry(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    // A Powertools log line (with the Lambda context), or an embedded-metric-format line of Powertools metrics.
    return isRecord(value) && (typeof value.function_name === 'string' || isRecord(value._aws))
      ? value
      : undefined;
  } catch {
    return undefined;
  }
}
