import type { ChatState } from '../chat-state';

/** One control-plane operation: the request's members in, the HTTP status and JSON body out. */
export type Operation = (state: ChatState, input: Readonly<Record<string, unknown>>) => OperationResult;

export interface OperationResult {
  readonly status: 200 | 204;
  readonly body?: Readonly<Record<string, unknown>>;
}

export function ok(body: Readonly<Record<string, unknown>> = {}): OperationResult {
  return { status: 200, body };
}

export const NO_CONTENT: OperationResult = { status: 204 };
