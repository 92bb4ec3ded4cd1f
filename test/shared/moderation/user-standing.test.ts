import { describe, expect, it } from 'vitest';
import { userStanding } from '../../../shared/moderation/user-standing.js';
import { MemoryEnforcementStore } from '../../helpers/memory-enforcement-store.js';

const ROOM = 'arn:aws:ivschat:us-east-1:123456789012:room/abc123DEF456';

describe('userStanding', () => {
  it("shows a user's strikes, sanction and the actions still pending for them", async () => {
    const store = new MemoryEnforcementStore();
    const strike = { atMillis: Date.UTC(2026, 10, 28, 9), ruleId: 'flood', messageId: 'm1' };
    store.users.set(`${ROOM}|ann`, {
      state: { recent: [], strikes: [strike] },
      version: 3,
      pending: [
        {
          action: {
            kind: 'delete-message',
            key: 'delete:m1',
            roomArn: ROOM,
            userId: 'ann',
            messageId: 'm1',
            reason: 'Spam',
          },
          plannedAtMillis: Date.UTC(2026, 10, 28, 9, 0, 5),
        },
      ],
    });
    await store.putSanction(ROOM, 'ann', { kind: 'ban', reason: 'Spam' });
    expect(await userStanding(store, ROOM, 'ann')).toEqual({
      userId: 'ann',
      strikes: [strike],
      sanction: { kind: 'ban', reason: 'Spam' },
      pending: [
        { kind: 'delete-message', key: 'delete:m1', messageId: 'm1', plannedAt: '2026-11-28T09:00:05.000Z' },
      ],
    });
    expect(await userStanding(store, ROOM, 'bob')).toEqual({
      userId: 'bob',
      strikes: [],
      sanction: null,
      pending: [],
    });
  });
});
