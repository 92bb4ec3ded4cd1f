import { describe, expect, it } from 'vitest';
import type { RoomModeration } from '../../../shared/enforcement/moderate-batch.js';
import type { EnforcementAction } from '../../../shared/enforcement/plan-enforcement.js';
import { moderationMetrics } from '../../../shared/observability/moderation-metrics.js';
import { defaultPolicy } from '../../helpers/default-policy.js';

const base = { roomArn: 'room', userId: 'u' };
const actions: EnforcementAction[] = [
  { ...base, kind: 'delete-message', key: 'delete:1', messageId: '1', reason: 'flood' },
  { ...base, kind: 'delete-message', key: 'delete:2', messageId: '2', reason: 'flood' },
  {
    ...base,
    kind: 'warn',
    key: 'warn:u:1',
    eventName: 'app:moderation-warning',
    reason: 'flood',
    strikes: 1,
  },
];
const room = (shadow: boolean, results: RoomModeration['results']): RoomModeration => ({
  roomArn: 'room',
  shadow,
  results,
  plan: { actions, outcomes: [], users: new Map() },
  policy: defaultPolicy,
});
const asObject = (metrics: ReturnType<typeof moderationMetrics>) =>
  Object.fromEntries(metrics.map(({ name, value }) => [name, value]));

describe('moderationMetrics', () => {
  it('counts records, each kind of action and how the executor fared, retries included', () => {
    const [first, second, third] = actions;
    if (first === undefined || second === undefined || third === undefined) throw new Error('fixture');
    expect(
      asObject(
        moderationMetrics({
          records: 10,
          rejectedRecords: 1,
          refusedEnvelope: false,
          rooms: [
            room(false, [
              { action: first, status: 'done', attempts: 3 },
              { action: second, status: 'duplicate' },
              { action: third, status: 'failed', attempts: 6, error: 'ThrottlingException' },
            ]),
          ],
        }),
      ),
    ).toEqual({
      ChatLogRecords: 10,
      ChatLogRecordsRejected: 1,
      EnvelopesRefused: 0,
      Deletions: 2,
      Warnings: 1,
      ActionsDone: 1,
      ActionsAlreadyDone: 1,
      ActionsFailed: 1,
      ActionRetries: 7,
    });
  });

  it('counts shadow-mode decisions apart: decided and recorded, never sent', () => {
    const counted = asObject(
      moderationMetrics({ records: 3, rejectedRecords: 0, refusedEnvelope: false, rooms: [room(true, [])] }),
    );
    expect(counted).toMatchObject({ ShadowDeletions: 2, ShadowWarnings: 1 });
    expect(counted).not.toHaveProperty('Deletions');
  });

  it('counts a refused envelope', () => {
    expect(
      asObject(moderationMetrics({ records: 0, rejectedRecords: 0, refusedEnvelope: true, rooms: [] })),
    ).toMatchObject({
      EnvelopesRefused: 1,
    });
  });
});
