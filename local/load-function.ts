import { copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Context } from 'aws-lambda';
import { isRecord } from '../shared/guards.js';

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

/** The `handler` export of a bundled function file, called as the Lambda runtime would (always awaited). */
export function loadHandler(file: string): LambdaHandler {
  const module: unknown = createRequire(__filename)(file);
  if (!isRecord(module) || typeof module.handler !== 'function')
    throw new Error(`${file} exports no handler`);
  const handler = module.handler;
  return async (event, context) => handler(event, context);
}

/**
 * A bundled function as Lambda runs it under a reserved concurrency: each invocation in an execution environment
 * that runs one invocation at a time, a new environment (a fresh copy of the module, with its own state and cold
 * start) when all are busy and fewer than `concurrency` exist, and beyond that a wait for one to be free. One
 * module shared by concurrent invocations would share what Powertools keeps per invocation (the logger's request
 * id, idempotency's remaining time). An invocation's time starts when it runs, not while it waits.
 */
export function loadEnvironments(file: string, concurrency: number): LambdaHandler {
  const idle: LambdaHandler[] = [];
  const waiting: (() => void)[] = [];
  let started = 0;
  const acquire = async (): Promise<LambdaHandler> => {
    for (;;) {
      const free = idle.pop();
      if (free !== undefined) return free;
      if (started < concurrency) {
        started++;
        // require() caches a module by its path: each environment loads a copy of its own.
        const copy = started === 1 ? file : file.replace(/(\.[cm]?js)?$/, `.${started}$1`);
        if (copy !== file) copyFileSync(file, copy);
        return loadHandler(copy);
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
  };
  return async (event, context) => {
    const budgetMs = context.getRemainingTimeInMillis();
    const environment = await acquire();
    const deadline = Date.now() + budgetMs;
    try {
      return await environment(event, {
        ...context,
        getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      });
    } finally {
      idle.push(environment);
      waiting.shift()?.();
    }
  };
}
