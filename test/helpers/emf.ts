import { afterEach, beforeEach, expect, vi } from 'vitest';
import { isRecord } from '../../shared/guards.js';

export const TEST_NAMESPACE = 'IvsChatModeration';
export const TEST_SERVICE = 'ivs-chat-moderation-test';

/** One EMF line, checked against the format's rules and flattened for assertions. */
export interface EmfLine {
  readonly namespace: string;
  readonly dimensionSets: readonly (readonly string[])[];
  /** Metric name to unit, in the directive's order. */
  readonly units: Readonly<Record<string, string>>;
  /** The line's own fields: dimension values and metric values. */
  readonly fields: Readonly<Record<string, unknown>>;
}

/**
 * Turns metrics on for the modules imported after it (call vi.resetModules and import them then) and
 * captures the EMF lines they write. POWERTOOLS_DEV makes Powertools write through the global console, which
 * is how its documentation has tests read the output; vitest.config keeps metrics off everywhere else.
 */
export function captureEmf(): {
  readonly lines: () => EmfLine[];
  readonly log: ReturnType<typeof spyOnLog>;
  /** Puts the variables and the console back, for a file whose other tests share its stubs. */
  readonly stop: () => void;
} {
  const settings = {
    POWERTOOLS_METRICS_DISABLED: 'false',
    POWERTOOLS_DEV: 'true',
    POWERTOOLS_METRICS_NAMESPACE: TEST_NAMESPACE,
    POWERTOOLS_SERVICE_NAME: TEST_SERVICE,
  };
  const before = Object.keys(settings).map((name) => [name, process.env[name]] as const);
  for (const [name, value] of Object.entries(settings)) vi.stubEnv(name, value);
  const log = spyOnLog();
  return {
    log,
    stop: () => {
      log.mockRestore();
      for (const [name, value] of before) vi.stubEnv(name, value);
    },
    // The lines written: a call that threw (a failing stdout, as a test makes it) wrote nothing.
    lines: () =>
      log.mock.calls.flatMap(([text], index) =>
        log.mock.results[index]?.type === 'return' && typeof text === 'string' && text.includes('"_aws"')
          ? [parseEmfLine(text)]
          : [],
      ),
  };
}

/**
 * captureEmf around each test of the calling `describe`, for files that stub nothing in beforeAll: after each
 * test every variable it stubbed and every spy is undone. Gives the capture of the running test.
 */
export function captureEmfInEachTest(): () => ReturnType<typeof captureEmf> {
  let emf: ReturnType<typeof captureEmf> | undefined;
  beforeEach(() => {
    emf = captureEmf();
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });
  return () => {
    if (emf === undefined) throw new Error('captureEmfInEachTest: read inside a test');
    return emf;
  };
}

function spyOnLog() {
  return vi.spyOn(console, 'log').mockImplementation(() => undefined);
}

/** Parses one line and asserts what CloudWatch requires of it (the EMF specification). */
export function parseEmfLine(text: string): EmfLine {
  const parsed: unknown = JSON.parse(text);
  if (!isRecord(parsed) || !isRecord(parsed._aws)) throw new Error(`not an EMF line: ${text}`);
  const { _aws: metadata, ...fields } = parsed;
  expect(typeof metadata.Timestamp).toBe('number');
  const directives = metadata.CloudWatchMetrics;
  if (!Array.isArray(directives) || directives.length !== 1)
    throw new Error(`one directive expected: ${text}`);
  const [directive] = directives;
  if (!isRecord(directive)) throw new Error(`not a directive: ${text}`);
  const { Namespace: namespace, Dimensions: dimensions, Metrics: metrics } = directive;
  if (typeof namespace !== 'string' || !Array.isArray(dimensions) || !Array.isArray(metrics))
    throw new Error(`incomplete directive: ${text}`);
  const dimensionSets = dimensions.map((set: unknown) => {
    if (!Array.isArray(set) || !set.every((key): key is string => typeof key === 'string'))
      throw new Error(`not a dimension set: ${JSON.stringify(set)}`);
    // Each dimension a line names is one of its own fields, a non-empty string.
    for (const key of set) expect(fields[key], key).toMatch(/\S/);
    return set;
  });
  const units: Record<string, string> = {};
  for (const metric of metrics) {
    if (!isRecord(metric) || typeof metric.Name !== 'string' || typeof metric.Unit !== 'string')
      throw new Error(`not a metric definition: ${JSON.stringify(metric)}`);
    expect(typeof fields[metric.Name], metric.Name).toBe('number');
    units[metric.Name] = metric.Unit;
  }
  return { namespace, dimensionSets, units, fields };
}
