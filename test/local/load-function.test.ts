import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { lambdaContext } from '../../local/lambda-context.js';
import { loadEnvironments } from '../../local/load-function.js';
import { isRecord } from '../../shared/guards.js';

/**
 * A function whose module knows which environment it is (its own module state), reports the time it was given,
 * and waits for `release(event)` before it answers.
 */
const FUNCTION = `
const environment = Math.random().toString(36).slice(2);
globalThis.releases ??= {};
exports.handler = async (event, context) => {
  const remainingMs = context.getRemainingTimeInMillis();
  await new Promise((resolve) => { globalThis.releases[event] = resolve; });
  return { environment, remainingMs };
};
`;

const releases = (): Record<string, () => void> => {
  const value: unknown = Reflect.get(globalThis, 'releases');
  return typeof value === 'object' && value !== null ? Object.fromEntries(Object.entries(value)) : {};
};

async function release(event: string): Promise<void> {
  await vi.waitFor(() => expect(releases()[event]).toBeTypeOf('function'));
  releases()[event]?.();
}

describe('loadEnvironments', () => {
  let directory: string;
  let file: string;
  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'environments-'));
    file = path.join(directory, 'handler.js');
    await writeFile(file, FUNCTION);
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));

  it('runs each invocation in an environment of its own, up to the concurrency, then waits for a free one', async () => {
    const handler = loadEnvironments(file, 2);
    const context = () => lambdaContext('consumer', 60_000);
    const first = handler('a', context());
    const second = handler('b', context());
    const third = handler('c', context());
    await release('a');
    await release('b');
    await release('c');
    const results = await Promise.all([first, second, third]);
    const environments = new Set(
      results.map((result) => (isRecord(result) ? result.environment : undefined)),
    );
    // Two environments: the third invocation waited for one to be free.
    expect(environments.size).toBe(2);
    expect(environments).not.toContain(undefined);
  });

  it('gives an invocation its whole time from when it starts, not from when it was queued', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const handler = loadEnvironments(file, 1);
      const first = handler('slow', lambdaContext('consumer', 60_000));
      const second = handler('next', lambdaContext('consumer', 60_000));
      vi.setSystemTime(Date.now() + 20_000);
      await release('slow');
      await release('next');
      const results = await Promise.all([first, second]);
      // Queued for 20 s behind the first, the second still starts with its full minute.
      expect(results).toEqual([
        expect.objectContaining({ remainingMs: 60_000 }),
        expect.objectContaining({ remainingMs: 60_000 }),
      ]);
    } finally {
      vi.useRealTimers();
    }
  });
});
