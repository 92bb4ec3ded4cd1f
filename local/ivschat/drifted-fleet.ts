import type { RoomManifest } from '../../shared/rooms/room-manifest.js';
import type { ChatState } from './chat-state.js';

/**
 * A fleet of rooms with assorted drift from DRIFTED_FLEET_MANIFEST, for the reconciler's tests and its
 * benchmark: nine in ten rooms are `game-…` (selected), one in ten `other-…` (never to be touched); one in
 * five is a kids' room (a stricter policy and lower limits); of the selected rooms a quarter are already
 * in sync on their handler, a quarter have no handler, a quarter carry stale tags and a quarter the wrong
 * fallback. Deterministic: the same count gives the same fleet.
 */
export function populateDriftedFleet(state: ChatState, count: number, reviewFunctionArn: string): void {
  for (let index = 0; index < count; index++) {
    const outside = index % 10 === 9;
    const kids = index % 5 === 0;
    const drift = index % 4;
    state.putRoom(`room${String(index).padStart(8, '0')}`, {
      name: outside ? `other-${index}` : `game-${index}`,
      ...(drift !== 1 && {
        messageReviewHandler: { uri: reviewFunctionArn, fallbackResult: drift === 3 ? 'DENY' : 'ALLOW' },
      }),
      maximumMessageLength: kids && drift !== 0 ? 500 : 200,
      maximumMessageRatePerSecond: kids && drift !== 0 ? 10 : 5,
      tags: {
        ...(kids && { audience: 'kids' }),
        ...(drift === 0 && { moderated: 'yes' }),
        ...(drift === 2 && { legacy: 'true', moderated: 'no' }),
        ...(outside && { legacy: 'keep me' }),
      },
    });
  }
}

/** What the drifted fleet converges to. */
export const DRIFTED_FLEET_MANIFEST: RoomManifest = {
  policies: { strict: 'config/policies/strict.yaml' },
  loggingConfigurations: [
    { name: 'moderation-chat-logs', destination: { stage: 'log-group' }, remove: false },
  ],
  rooms: [
    {
      select: { namePrefix: 'game-' },
      reviewHandler: { uri: 'stage', fallbackResult: 'ALLOW' },
      loggingConfigurations: ['moderation-chat-logs'],
      tags: { moderated: 'yes' },
    },
    {
      select: { namePrefix: 'game-', tags: { audience: 'kids' } },
      policy: 'strict',
      maximumMessageLength: 200,
      maximumMessageRatePerSecond: 5,
      removeTags: ['legacy'],
    },
  ],
  changeBudget: 1_000_000,
};
