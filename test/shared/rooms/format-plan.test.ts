import { describe, expect, it } from 'vitest';
import { formatPlan } from '../../../shared/rooms/format-plan.js';
import { planLoggingConfigurations, planRoom } from '../../../shared/rooms/plan-reconciliation.js';
import type { StageTargets } from '../../../shared/rooms/room-manifest.js';
import { OWNER_TAG_KEY, POLICY_TAG_KEY } from '../../../shared/rooms/validate-room-manifest.js';

const REVIEW = 'arn:aws:lambda:us-east-1:123456789012:function:review';
const LC = (id: string) => `arn:aws:ivschat:us-east-1:123456789012:logging-configuration/${id}`;
const KIDS = 'arn:aws:ivschat:us-east-1:123456789012:room/kids1';
const stage: StageTargets = {
  reviewFunctionArn: REVIEW,
  logGroupName: '/aws/ivs/chat',
  ownerTag: { key: OWNER_TAG_KEY, value: 'dev' },
  policyTagKey: POLICY_TAG_KEY,
};

/** A plan with one change of every kind and two problems, as the reconciler would build it. */
function fullPlan() {
  const logging = planLoggingConfigurations(
    {
      policies: {},
      changeBudget: 500,
      rooms: [],
      loggingConfigurations: [
        { name: 'moderation-chat-logs', destination: { stage: 'log-group' }, remove: false },
        { name: 'archive', destination: { s3: 'new-bucket' }, remove: false },
        { name: 'old-archive', destination: { s3: 'x-bucket' }, remove: true },
      ],
    },
    [
      {
        arn: LC('old1'),
        id: 'old1',
        name: 'old-archive',
        destination: { s3: { bucketName: 'x-bucket' } },
        tags: { [OWNER_TAG_KEY]: 'dev' },
        state: 'ACTIVE',
      },
      {
        arn: LC('arc1'),
        id: 'arc1',
        name: 'archive',
        destination: { s3: { bucketName: 'old-bucket' } },
        tags: { [OWNER_TAG_KEY]: 'dev' },
        state: 'ACTIVE',
      },
    ],
    stage,
  );
  const room = planRoom(
    {
      arn: KIDS,
      id: 'kids1',
      name: 'kids-1',
      updateTime: '2026-11-27T10:00:00Z',
      tags: { legacy: 'x' },
      loggingConfigurationIdentifiers: [LC('old1')],
      limits: { maximumMessageLength: 500, maximumMessageRatePerSecond: 10 },
    },
    {
      policy: 'strict',
      reviewHandler: { uri: 'stage', fallbackResult: 'ALLOW' },
      maximumMessageLength: 200,
      loggingConfigurations: ['moderation-chat-logs'],
      tags: { audience: 'kids' },
      removeTags: ['legacy'],
    },
    {
      stage,
      loggingConfigurationArns: logging.arnsByName,
      removedLoggingConfigurationArns: logging.removedArns,
      publishedPolicy: undefined,
    },
  );
  return {
    changes: [...logging.changes, ...room.changes],
    problems: [
      'logging configuration hose: destination { stage: delivery-stream }, but this stage has no delivery stream configured',
      {
        roomArn: 'arn:aws:ivschat:us-east-1:123456789012:room/other',
        message: 'limits unknown: GetRoom failed',
      },
    ],
  };
}

describe('formatting a plan', () => {
  it('says so when there is nothing to do', () => {
    expect(formatPlan({ changes: [], problems: [] })).toBe('No changes: the fleet matches the manifest.');
  });

  it('prints every change, field by field, aligned within a room, in apply order', () => {
    const lines = formatPlan(fullPlan()).split('\n');
    expect(lines).toEqual([
      `~ logging configuration archive (${LC('arc1')})`,
      '    destination: s3 old-bucket → s3 new-bucket',
      '+ logging configuration moderation-chat-logs → cloudWatchLogs /aws/ivs/chat',
      `~ room kids-1 (${KIDS})`,
      `    reviewHandler.uri:            (unset) → ${REVIEW}`,
      '    reviewHandler.fallbackResult: (unset) → ALLOW',
      '    maximumMessageLength:         500 → 200',
      `    loggingConfigurations:        [${LC('old1')}] → [(new) moderation-chat-logs]`,
      '    tag audience:                 (unset) → kids',
      `    tag ${POLICY_TAG_KEY}:           (unset) → strict`,
      '    tag legacy:                   x → (unset)',
      '    policy:                       (default) → strict',
      `- logging configuration old-archive (${LC('old1')})`,
      '! logging configuration hose: destination { stage: delivery-stream }, but this stage has no delivery stream configured',
      '! room arn:aws:ivschat:us-east-1:123456789012:room/other: limits unknown: GetRoom failed',
      '',
      'Plan: 7 changes (1 logging configuration to create, 1 logging configuration to update, 1 logging configuration to delete, 1 room update, 1 room to tag, 1 room to untag, 1 policy assignment), 2 problems.',
    ]);
  });

  it('groups each room’s changes under one header, whatever order they come in', () => {
    const { changes } = fullPlan();
    const text = formatPlan({ changes: [...changes].reverse(), problems: [] });
    expect(text.split('\n').filter((line) => line.startsWith('~ room'))).toEqual([`~ room kids-1 (${KIDS})`]);
    expect(text).toBe(formatPlan({ changes, problems: [] }));
  });

  it('lists problems and counts them when nothing is to change', () => {
    expect(formatPlan({ changes: [], problems: ['ambiguous'] })).toBe(
      '! ambiguous\n\nNo changes, 1 problem.',
    );
  });

  it('shows changes built without display fields from what they carry', () => {
    const text = formatPlan({
      changes: [
        { kind: 'tag-room', roomArn: KIDS, roomName: 'kids-1', tags: { a: '1' } },
        { kind: 'untag-room', roomArn: KIDS, roomName: 'kids-1', tagKeys: ['b'] },
        { kind: 'assign-policy', roomArn: KIDS, roomName: 'kids-1', policy: undefined },
      ],
      problems: [],
    });
    expect(text.split('\n')).toEqual([
      `~ room kids-1 (${KIDS})`,
      '    tag a:  ? → 1',
      '    tag b:  ? → (unset)',
      '    policy: ? → (default)',
      '',
      'Plan: 3 changes (1 room to tag, 1 room to untag, 1 policy assignment).',
    ]);
  });

  it('uses singular and plural in the summary', () => {
    const { changes } = fullPlan();
    const tags = changes.filter((change) => change.kind === 'tag-room');
    const second = tags.map((change) => ({ ...change, roomArn: `${change.roomArn}x` }));
    expect(
      formatPlan({ changes: [...tags, ...second], problems: ['a', 'b'] })
        .split('\n')
        .at(-1),
    ).toBe('Plan: 2 changes (2 rooms to tag), 2 problems.');
  });
});
