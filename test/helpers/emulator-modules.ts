import { ChatState } from '../../local/ivschat/chat-state.js';
import { startControlPlane } from '../../local/ivschat/control-plane.js';
import { startMessaging } from '../../local/ivschat/messaging.js';

/**
 * On the `stack` branch, local/ivschat/control-plane.ts and messaging.ts are placeholders that throw
 * 'not merged yet' until the branches that write them are merged. Tests of the whole stack skip (and
 * show as skipped) only in that case; any other failure to start makes them run and fail.
 */
export async function emulatorModulesReady(): Promise<boolean> {
  const state = new ChatState();
  const probes = [
    () => startControlPlane(state, { port: 0 }),
    () => startMessaging(state, { port: 0, reviewHandlers: () => undefined }),
  ];
  for (const probe of probes) {
    try {
      await (await probe()).close();
    } catch (error) {
      if (error instanceof Error && error.message === 'not merged yet') return false;
    }
  }
  return true;
}
