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
 * Invocations one at a time, as one Lambda execution environment runs them. Several at once in one process would
 * share what Powertools keeps per invocation (the logger's request id, idempotency's remaining time). As on
 * Lambda, an invocation's time starts when it runs, not while it waits for the one before.
 */
export function oneAtATime(handler: LambdaHandler): LambdaHandler {
  let last: Promise<unknown> = Promise.resolve();
  return (event, context) => {
    const budgetMs = context.getRemainingTimeInMillis();
    const invocation = last.then(() => {
      const deadline = Date.now() + budgetMs;
      return handler(event, {
        ...context,
        getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      });
    });
    last = invocation.catch(() => undefined);
    return invocation;
  };
}
