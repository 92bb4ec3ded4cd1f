import { describe, expect, it } from 'vitest';
import type { RoomModeration } from '../../../shared/enforcement/moderate-batch.js';
import type { EnforcementAction, PlannedAction } from '../../../shared/enforcement/plan-enforcement.js';
import {
  actionMetricLines,
  moderationMetrics,
  moderatorActionMetricLines,
  roomOutcomes,
} from '../../../shared/observability/moderation-metrics.js';
import { defaultPolicy } from '../../helpers/default-policy.js';

const base = { roomArn: 'room', userId: 'u' };
const actions: PlannedAction[] = [
  { ...base, kind: 'delete-message', key: 'delete:1', messageId: '1', reason: 'flood' },
  { ...base, kind: 'delete-message', key: 'delete:2', messageId: '2', reason: 'flood' },
  {
    ...base,
    kind: 'warn',
    key: 'warn:u:1',
    messageId: '1',
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
  replans: 0,
  abandoned: [],
  uncleared: 0,
});
const asObject = (metrics: ReturnType<typeof moderationMetrics>) =>
  Object.fromEntries(metrics.map(({ name, value }) => [name, value]));

describe('moderationMetrics', () => {
  it('counts records, each kind of action and how the executor fared, retries and throttles included', () => {
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
              { action: first, status: 'done', attempts: 3, throttles: 1 },
              { action: second, status: 'duplicate' },
              {
                action: third,
                status: 'failed',
                attempts: 6,
                throttles: 5,
                error: 'ThrottlingException',
                inProgress: false,
              },
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
      ActionThrottles: 6,
    });
  });

  it('counts the plans a race with another invocation made again, and pending actions abandoned or left listed', () => {
    const [first] = actions;
    if (first === undefined) throw new Error('fixture');
    const contended = { ...room(false, []), replans: 2, abandoned: [first], uncleared: 3 };
    expect(
      asObject(
        moderationMetrics({
          records: 1,
          rejectedRecords: 0,
          refusedEnvelope: false,
          rooms: [contended, contended],
        }),
      ),
    ).toMatchObject({ Replans: 4, ActionsAbandoned: 2, ActionsLeftPending: 6 });
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

describe('ActionsByType', () => {
  const [first, second, third] = actions;
  if (first === undefined || second === undefined || third === undefined) throw new Error('fixture');
  const byType = (action: string, outcome: string, value: number) => ({
    dimensionSets: [{ Action: action, Outcome: outcome }],
    metrics: [{ name: 'ActionsByType', unit: 'Count', value }],
  });

  it('writes a line per action kind and outcome, counting the actions of every room', () => {
    const done = room(false, [
      { action: first, status: 'done', attempts: 1, throttles: 0 },
      { action: second, status: 'done', attempts: 2, throttles: 1 },
      {
        action: third,
        status: 'failed',
        attempts: 6,
        throttles: 0,
        error: 'InternalServerException',
        inProgress: false,
      },
    ]);
    const redelivered = room(false, [{ action: first, status: 'duplicate' }]);
    expect(actionMetricLines(roomOutcomes([done, redelivered]))).toEqual([
      byType('delete-message', 'done', 2),
      byType('warn', 'failed', 1),
      byType('delete-message', 'duplicate', 1),
    ]);
  });

  it("counts a shadow room's planned actions as shadow: decided, never sent", () => {
    expect(actionMetricLines(roomOutcomes([room(true, [])]))).toEqual([
      byType('delete-message', 'shadow', 2),
      byType('warn', 'shadow', 1),
    ]);
  });

  it('writes nothing when nothing was planned', () => {
    expect(actionMetricLines(roomOutcomes([]))).toEqual([]);
  });

  it('gives the moderator API its actions by type, and its throttles on the service alone when there were any', () => {
    const lift: EnforcementAction = { ...base, kind: 'lift-sanction', key: 'moderator:r1:lift' };
    expect(moderatorActionMetricLines([{ action: lift, status: 'done', attempts: 1, throttles: 0 }])).toEqual(
      [byType('lift-sanction', 'done', 1)],
    );
    expect(
      moderatorActionMetricLines([{ action: first, status: 'done', attempts: 3, throttles: 2 }]),
    ).toEqual([
      byType('delete-message', 'done', 1),
      { dimensionSets: [{}], metrics: [{ name: 'ActionThrottles', unit: 'Count', value: 2 }] },
    ]);
  });
});
