import type { ChatState, RunningServer } from './chat-state.js';

/*
 * PLACEHOLDER on branch `stack` only: the control plane is being written on
 * another branch with exactly this signature, and that file replaces this one
 * at merge. It exists so the stack typechecks before then.
 */

export interface ControlPlaneOptions {
  readonly port?: number;
  readonly host?: string;
  readonly enforceQuotas?: boolean;
}

export async function startControlPlane(
  _state: ChatState,
  _options?: ControlPlaneOptions,
): Promise<RunningServer> {
  throw new Error('not merged yet');
}
