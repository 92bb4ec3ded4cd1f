import type { Context } from 'aws-lambda';
import type { ChatState, RunningServer } from './chat-state.js';

/*
 * PLACEHOLDER on branch `stack` only: the messaging WebSocket is being written
 * on another branch with exactly this signature, and that file replaces this
 * one at merge. It exists so the stack typechecks before then.
 */

export type ReviewHandlers = (
  functionArn: string,
) => ((event: unknown, context: Context) => Promise<unknown>) | undefined;

export interface MessagingOptions {
  readonly port?: number;
  readonly host?: string;
  readonly reviewHandlers: ReviewHandlers;
  readonly reviewTimeoutMs?: number;
}

export async function startMessaging(_state: ChatState, _options: MessagingOptions): Promise<RunningServer> {
  throw new Error('not merged yet');
}
