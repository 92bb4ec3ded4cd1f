import { describe, expect, it } from 'vitest';
import type { RoomPlanContext } from '../../../shared/rooms/plan-reconciliation.js';
import {
  countChanges,
  orderChanges,
  planLoggingConfigurations,
  planRoom,
} from '../../../shared/rooms/plan-reconciliation.js';
import type {
  Change,
  DesiredRoom,
  ManagedLoggingConfiguration,
  ObservedLoggingConfiguration,
  ObservedRoom,
  RoomManifest,
  StageTargets,
} from '../../../shared/rooms/room-manifest.js';
import { OWNER_TAG_KEY, POLICY_TAG_KEY } from '../../../shared/rooms/validate-room-manifest.js';

const REVIEW = 'arn:aws:lambda:us-east-1:123456789012:function:ivs-mod-dev-reviewMessage';
const OTHER_LAMBDA = 'arn:aws:lambda:us-east-1:123456789012:function:other';
const stage: StageTargets = {
  reviewFunctionArn: REVIEW,
  logGroupName: '/ivs-chat-moderation/dev/chat',
  deliveryStreamName: 'ivs-mod-dev-chat',
  ownerTag: { key: OWNER_TAG_KEY, value: 'ivs-chat-moderation-dev' },
  policyTagKey: POLICY_TAG_KEY,
};
const OURS = { [OWNER_TAG_KEY]: 'ivs-chat-moderation-dev' };
const LC = (id: string) => `arn:aws:ivschat:us-east-1:123456789012:logging-configuration/${id}`;
const ROOM = 'arn:aws:ivschat:us-east-1:123456789012:room/kids1';

function manifestWith(...loggingConfigurations: ManagedLoggingConfiguration[]): RoomManifest {
  return { policies: {}, loggingConfigurations, rooms: [], changeBudget: 500 };
}

function observed(
  id: string,
  name: string,
  overrides: Partial<ObservedLoggingConfiguration> = {},
): ObservedLoggingConfiguration {
  return {
    arn: LC(id),
    id,
    name,
    destination: { cloudWatchLogs: { logGroupName: '/ivs-chat-moderation/dev/chat' } },
    tags: OURS,
    state: 'ACTIVE',
    ...overrides,
  };
}

const chatLogs: ManagedLoggingConfiguration = {
  name: 'moderation-chat-logs',
  destination: { stage: 'log-group' },
  remove: false,
};

describe('planning logging configurations', () => {
  it('creates a declared configuration none of ours has, tagged with the owner tag', () => {
    const plan = planLoggingConfigurations(manifestWith(chatLogs), [], stage);
    expect(plan.changes).toEqual([
      {
        kind: 'create-logging-configuration',
        name: 'moderation-chat-logs',
        destination: { cloudWatchLogs: { logGroupName: '/ivs-chat-moderation/dev/chat' } },
        tags: OURS,
      },
    ]);
    expect(plan.arnsByName.size).toBe(0);
    expect(plan.problems).toEqual([]);
  });

  it('changes nothing when ours already delivers where declared, and maps its name to its ARN', () => {
    const plan = planLoggingConfigurations(
      manifestWith(chatLogs),
      [observed('a1', 'moderation-chat-logs')],
      stage,
    );
    expect(plan.changes).toEqual([]);
    expect([...plan.arnsByName]).toEqual([['moderation-chat-logs', LC('a1')]]);
    expect(plan.removedArns.size).toBe(0);
  });

  it('updates ours when its destination differs', () => {
    const plan = planLoggingConfigurations(
      manifestWith({ name: 'archive', destination: { firehose: 'new-stream' }, remove: false }),
      [observed('a1', 'archive', { destination: { s3: { bucketName: 'old-bucket' } } })],
      stage,
    );
    expect(plan.changes).toEqual([
      {
        kind: 'update-logging-configuration',
        arn: LC('a1'),
        name: 'archive',
        destination: { firehose: { deliveryStreamName: 'new-stream' } },
        fields: [{ field: 'destination', current: 's3 old-bucket', desired: 'firehose new-stream' }],
      },
    ]);
    expect(plan.arnsByName.get('archive')).toBe(LC('a1'));
  });

  it('resolves the stage delivery stream and each named destination kind', () => {
    const plan = planLoggingConfigurations(
      manifestWith(
        { name: 'hose', destination: { stage: 'delivery-stream' }, remove: false },
        { name: 'group', destination: { cloudWatchLogs: '/x/y' }, remove: false },
        { name: 'bucket', destination: { s3: 'my-bucket' }, remove: false },
      ),
      [],
      stage,
    );
    expect(plan.changes.map((change) => ('destination' in change ? change.destination : undefined))).toEqual([
      { s3: { bucketName: 'my-bucket' } },
      { cloudWatchLogs: { logGroupName: '/x/y' } },
      { firehose: { deliveryStreamName: 'ivs-mod-dev-chat' } },
    ]);
  });

  it('never touches configurations without our owner tag, even with a matching name', () => {
    const theirs = [
      observed('t1', 'moderation-chat-logs', { tags: {}, destination: { s3: { bucketName: 'theirs' } } }),
      observed('t2', 'old-archive', { tags: { [OWNER_TAG_KEY]: 'another-stage' } }),
    ];
    const plan = planLoggingConfigurations(
      manifestWith(chatLogs, { name: 'old-archive', destination: { s3: 'old-bucket' }, remove: true }),
      theirs,
      stage,
    );
    expect(plan.changes).toEqual([
      {
        kind: 'create-logging-configuration',
        name: 'moderation-chat-logs',
        destination: { cloudWatchLogs: { logGroupName: '/ivs-chat-moderation/dev/chat' } },
        tags: OURS,
      },
    ]);
    expect(plan.removedArns.size).toBe(0);
    expect(plan.arnsByName.size).toBe(0);
  });

  it('deletes each of ours marked remove, and lists their ARNs as removed', () => {
    const plan = planLoggingConfigurations(
      manifestWith({ name: 'old-archive', destination: { s3: 'old-bucket' }, remove: true }),
      [
        observed('o1', 'old-archive'),
        observed('o2', 'old-archive'),
        observed('o3', 'old-archive', { state: 'DELETING' }),
        observed('x1', 'old-archive', { tags: {} }),
      ],
      stage,
    );
    expect(plan.changes).toEqual([
      { kind: 'delete-logging-configuration', arn: LC('o1'), name: 'old-archive' },
      { kind: 'delete-logging-configuration', arn: LC('o2'), name: 'old-archive' },
    ]);
    expect([...plan.removedArns]).toEqual([LC('o1'), LC('o2'), LC('o3')]);
    expect(plan.arnsByName.has('old-archive')).toBe(false);
  });

  it('reports more than one of ours with a name as ambiguous, and plans nothing for it', () => {
    const plan = planLoggingConfigurations(
      manifestWith(chatLogs),
      [observed('a1', 'moderation-chat-logs'), observed('a2', 'moderation-chat-logs')],
      stage,
    );
    expect(plan.changes).toEqual([]);
    expect(plan.problems).toEqual([
      `logging configuration moderation-chat-logs: 2 of this stage's configurations have that name (${LC('a1')}, ${LC('a2')}); delete all but one`,
    ]);
    expect([...plan.unavailableNames]).toEqual(['moderation-chat-logs']);
    expect(plan.arnsByName.size).toBe(0);
  });

  it('creates anew when ours is being deleted', () => {
    const plan = planLoggingConfigurations(
      manifestWith(chatLogs),
      [observed('a1', 'moderation-chat-logs', { state: 'DELETING' })],
      stage,
    );
    expect(plan.changes.map((change) => change.kind)).toEqual(['create-logging-configuration']);
    expect(plan.arnsByName.size).toBe(0);
  });

  it('reports a stage destination the stage lacks: no create, and an existing one is left as it is', () => {
    const bare: StageTargets = {
      reviewFunctionArn: REVIEW,
      ownerTag: stage.ownerTag,
      policyTagKey: POLICY_TAG_KEY,
    };
    const hose: ManagedLoggingConfiguration = {
      name: 'hose',
      destination: { stage: 'delivery-stream' },
      remove: false,
    };
    const plan = planLoggingConfigurations(manifestWith(chatLogs, hose), [observed('h1', 'hose')], bare);
    expect(plan.changes).toEqual([]);
    expect(plan.problems).toEqual([
      'logging configuration moderation-chat-logs: destination { stage: log-group }, but this stage has no chat log group configured',
      'logging configuration hose: destination { stage: delivery-stream }, but this stage has no delivery stream configured',
    ]);
    expect([...plan.unavailableNames]).toEqual(['moderation-chat-logs']);
    expect(plan.arnsByName.get('hose')).toBe(LC('h1'));
  });
});

/** A room in line with the shipped manifest; `without` drops optional fields (no handler, limits unknown). */
function room(
  overrides: Partial<ObservedRoom> = {},
  without: readonly ('messageReviewHandler' | 'limits')[] = [],
): ObservedRoom {
  const full: ObservedRoom = {
    arn: ROOM,
    id: 'kids1',
    name: 'kids-1',
    updateTime: '2026-11-27T10:00:00Z',
    tags: { audience: 'kids' },
    messageReviewHandler: { uri: REVIEW, fallbackResult: 'ALLOW' },
    loggingConfigurationIdentifiers: [LC('chat')],
    limits: { maximumMessageLength: 500, maximumMessageRatePerSecond: 10 },
    ...overrides,
  };
  const { messageReviewHandler, limits, ...rest } = full;
  return {
    ...rest,
    ...(messageReviewHandler === undefined || without.includes('messageReviewHandler')
      ? {}
      : { messageReviewHandler }),
    ...(limits === undefined || without.includes('limits') ? {} : { limits }),
  };
}

function desired(overrides: Partial<DesiredRoom> = {}): DesiredRoom {
  return { tags: {}, removeTags: [], ...overrides };
}

const context: RoomPlanContext = {
  stage,
  loggingConfigurationArns: new Map([['moderation-chat-logs', LC('chat')]]),
  removedLoggingConfigurationArns: new Set(),
  publishedPolicy: undefined,
};

function only<K extends Change['kind']>(changes: readonly Change[], kind: K): Extract<Change, { kind: K }> {
  const found = changes.filter((change): change is Extract<Change, { kind: K }> => change.kind === kind);
  expect(found).toHaveLength(1);
  const [first] = found;
  if (first === undefined) throw new Error(`no ${kind}`);
  return first;
}

describe('planning a room', () => {
  it('plans nothing for a room in line with everything the manifest wants', () => {
    const plan = planRoom(
      room({ tags: { audience: 'kids', [POLICY_TAG_KEY]: 'strict', rating: 'G' } }),
      desired({
        policy: 'strict',
        reviewHandler: { uri: 'stage', fallbackResult: 'ALLOW' },
        maximumMessageLength: 500,
        maximumMessageRatePerSecond: 10,
        loggingConfigurations: ['moderation-chat-logs'],
        tags: { rating: 'G' },
        removeTags: ['legacy'],
      }),
      { ...context, publishedPolicy: 'strict' },
    );
    expect(plan).toEqual({ changes: [], problems: [] });
  });

  it('plans nothing when the manifest wants nothing of the room', () => {
    expect(planRoom(room(), desired(), context)).toEqual({ changes: [], problems: [] });
  });

  it('sets the stage handler on a room without one, in one update-room with readable fields', () => {
    const plan = planRoom(
      room({}, ['messageReviewHandler']),
      desired({ reviewHandler: { uri: 'stage', fallbackResult: 'DENY' } }),
      context,
    );
    expect(plan.changes).toEqual([
      {
        kind: 'update-room',
        roomArn: ROOM,
        roomName: 'kids-1',
        update: { messageReviewHandler: { uri: REVIEW, fallbackResult: 'DENY' } },
        fields: [
          { field: 'reviewHandler.uri', current: '(unset)', desired: REVIEW },
          { field: 'reviewHandler.fallbackResult', current: '(unset)', desired: 'DENY' },
        ],
      },
    ]);
  });

  it('changes only the fallback result when the uri already matches', () => {
    const plan = planRoom(
      room(),
      desired({ reviewHandler: { uri: 'stage', fallbackResult: 'DENY' } }),
      context,
    );
    expect(only(plan.changes, 'update-room')).toMatchObject({
      update: { messageReviewHandler: { uri: REVIEW, fallbackResult: 'DENY' } },
      fields: [{ field: 'reviewHandler.fallbackResult', current: 'ALLOW', desired: 'DENY' }],
    });
  });

  it('points a room at another Lambda function', () => {
    const plan = planRoom(
      room(),
      desired({ reviewHandler: { uri: OTHER_LAMBDA, fallbackResult: 'ALLOW' } }),
      context,
    );
    expect(only(plan.changes, 'update-room').fields).toEqual([
      { field: 'reviewHandler.uri', current: REVIEW, desired: OTHER_LAMBDA },
    ]);
  });

  it('takes no handler, or an empty uri, as already having none', () => {
    const none = desired({ reviewHandler: { uri: 'none', fallbackResult: 'ALLOW' } });
    expect(planRoom(room({}, ['messageReviewHandler']), none, context).changes).toEqual([]);
    expect(
      planRoom(room({ messageReviewHandler: { uri: '', fallbackResult: 'DENY' } }), none, context).changes,
    ).toEqual([]);
  });

  it('removes a handler by setting an empty uri', () => {
    const plan = planRoom(
      room(),
      desired({ reviewHandler: { uri: 'none', fallbackResult: 'ALLOW' } }),
      context,
    );
    expect(only(plan.changes, 'update-room')).toMatchObject({
      update: { messageReviewHandler: { uri: '', fallbackResult: 'ALLOW' } },
      fields: [{ field: 'reviewHandler.uri', current: REVIEW, desired: '(none)' }],
    });
  });

  it('changes the limits that differ, together with the handler in the same update-room', () => {
    const plan = planRoom(
      room({}, ['messageReviewHandler']),
      desired({
        reviewHandler: { uri: 'stage', fallbackResult: 'ALLOW' },
        maximumMessageLength: 200,
        maximumMessageRatePerSecond: 10,
      }),
      context,
    );
    expect(plan.changes).toHaveLength(1);
    expect(only(plan.changes, 'update-room')).toMatchObject({
      update: { messageReviewHandler: { uri: REVIEW, fallbackResult: 'ALLOW' }, maximumMessageLength: 200 },
      fields: [
        { field: 'reviewHandler.uri', current: '(unset)', desired: REVIEW },
        { field: 'reviewHandler.fallbackResult', current: '(unset)', desired: 'ALLOW' },
        { field: 'maximumMessageLength', current: '500', desired: '200' },
      ],
    });
  });

  it('reports unknown limits as a problem and still plans the other fields', () => {
    const plan = planRoom(
      room({}, ['limits']),
      desired({ maximumMessageRatePerSecond: 5, tags: { rating: 'G' } }),
      context,
    );
    expect(plan.problems).toEqual([
      {
        roomArn: ROOM,
        message: 'limits unknown: GetRoom failed or was not made; message limits not planned',
      },
    ]);
    expect(plan.changes.map((change) => change.kind)).toEqual(['tag-room']);
  });

  describe('logging configurations', () => {
    it('appends a desired configuration after the current ones, keeping their order', () => {
      const plan = planRoom(
        room({ loggingConfigurationIdentifiers: [LC('theirs'), LC('x')] }),
        desired({ loggingConfigurations: ['moderation-chat-logs'] }),
        context,
      );
      expect(only(plan.changes, 'update-room')).toEqual({
        kind: 'update-room',
        roomArn: ROOM,
        roomName: 'kids-1',
        update: { loggingConfigurationIdentifiers: [LC('theirs'), LC('x'), LC('chat')] },
        fields: [
          {
            field: 'loggingConfigurations',
            current: `[${LC('theirs')}, ${LC('x')}]`,
            desired: `[${LC('theirs')}, ${LC('x')}, moderation-chat-logs]`,
          },
        ],
      });
    });

    it('detaches configurations being deleted, even when the room wants no list', () => {
      const plan = planRoom(room({ loggingConfigurationIdentifiers: [LC('old'), LC('chat')] }), desired(), {
        ...context,
        removedLoggingConfigurationArns: new Set([LC('old')]),
      });
      expect(only(plan.changes, 'update-room')).toMatchObject({
        update: { loggingConfigurationIdentifiers: [LC('chat')] },
        fields: [
          {
            field: 'loggingConfigurations',
            current: `[${LC('old')}, moderation-chat-logs]`,
            desired: '[moderation-chat-logs]',
          },
        ],
      });
    });

    it('leaves a configuration created in the same run pending, by name', () => {
      const plan = planRoom(
        room({ loggingConfigurationIdentifiers: [LC('theirs')] }),
        desired({ loggingConfigurations: ['new-logs'] }),
        context,
      );
      const update = only(plan.changes, 'update-room');
      expect(update.update).toEqual({ loggingConfigurationIdentifiers: [LC('theirs')] });
      expect(update.pendingLoggingConfigurations).toEqual(['new-logs']);
      expect(update.fields).toEqual([
        {
          field: 'loggingConfigurations',
          current: `[${LC('theirs')}]`,
          desired: `[${LC('theirs')}, (new) new-logs]`,
        },
      ]);
    });

    it('reports a room that would have more than 3, and attaches none then', () => {
      const plan = planRoom(
        room({ loggingConfigurationIdentifiers: [LC('a'), LC('b'), LC('c')] }, ['messageReviewHandler']),
        desired({
          loggingConfigurations: ['moderation-chat-logs'],
          reviewHandler: { uri: 'stage', fallbackResult: 'ALLOW' },
        }),
        context,
      );
      expect(plan.problems).toEqual([
        {
          roomArn: ROOM,
          message: `would have 4 logging configurations, more than IVS's 3 (${LC('a')}, ${LC('b')}, ${LC('c')}, moderation-chat-logs); none attached`,
        },
      ]);
      expect(only(plan.changes, 'update-room').update).toEqual({
        messageReviewHandler: { uri: REVIEW, fallbackResult: 'ALLOW' },
      });
    });

    it('still detaches configurations being deleted from a room that would have more than 3', () => {
      const plan = planRoom(
        room({ loggingConfigurationIdentifiers: [LC('a'), LC('old'), LC('b'), LC('c')] }),
        desired({ loggingConfigurations: ['moderation-chat-logs'] }),
        { ...context, removedLoggingConfigurationArns: new Set([LC('old')]) },
      );
      expect(plan.problems.map((p) => p.message)).toEqual([
        expect.stringMatching(/^would have 4 logging configurations, more than IVS's 3 .*; none attached$/),
      ]);
      expect(only(plan.changes, 'update-room').update).toEqual({
        loggingConfigurationIdentifiers: [LC('a'), LC('b'), LC('c')],
      });
    });

    it('attaches what it can and detaches what is deleted when one desired configuration is unavailable', () => {
      const plan = planRoom(
        room({ loggingConfigurationIdentifiers: [LC('old')] }),
        desired({ loggingConfigurations: ['ambiguous', 'moderation-chat-logs'] }),
        {
          ...context,
          removedLoggingConfigurationArns: new Set([LC('old')]),
          unavailableLoggingConfigurations: new Set(['ambiguous']),
        },
      );
      expect(plan.problems).toHaveLength(1);
      expect(only(plan.changes, 'update-room').update).toEqual({
        loggingConfigurationIdentifiers: [LC('chat')],
      });
    });

    it('counts pending configurations toward the limit of 3', () => {
      const plan = planRoom(
        room({ loggingConfigurationIdentifiers: [LC('a'), LC('b')] }),
        desired({ loggingConfigurations: ['new-1', 'new-2'] }),
        context,
      );
      expect(plan.changes).toEqual([]);
      expect(plan.problems[0]?.message).toMatch(/^would have 4 logging configurations/);
    });

    it('reports a desired configuration that cannot be attached instead of treating it as pending', () => {
      const plan = planRoom(
        room(),
        desired({ loggingConfigurations: ['moderation-chat-logs', 'ambiguous'] }),
        {
          ...context,
          unavailableLoggingConfigurations: new Set(['ambiguous']),
        },
      );
      expect(plan.changes).toEqual([]);
      expect(plan.problems).toEqual([
        {
          roomArn: ROOM,
          message:
            'logging configuration ambiguous cannot be attached (see the logging configuration problems)',
        },
      ]);
    });
  });

  describe('tags and the policy', () => {
    it('adds missing tags and changes tags with another value, with current values for display', () => {
      const plan = planRoom(
        room({ tags: { audience: 'kids', tier: 'free' } }),
        desired({ tags: { audience: 'kids', tier: 'gold', rating: 'G' } }),
        context,
      );
      expect(plan.changes).toEqual([
        {
          kind: 'tag-room',
          roomArn: ROOM,
          roomName: 'kids-1',
          tags: { tier: 'gold', rating: 'G' },
          fields: [
            { field: 'tag tier', current: 'free', desired: 'gold' },
            { field: 'tag rating', current: '(unset)', desired: 'G' },
          ],
        },
      ]);
    });

    it('shows an empty tag value as ""', () => {
      const plan = planRoom(
        room({ tags: { flag: '' } }),
        desired({ tags: { flag: 'on', marker: '' } }),
        context,
      );
      expect(only(plan.changes, 'tag-room').fields).toEqual([
        { field: 'tag flag', current: '""', desired: 'on' },
        { field: 'tag marker', current: '(unset)', desired: '""' },
      ]);
    });

    it('removes only the named tags the room carries, never other tags', () => {
      const plan = planRoom(
        room({ tags: { audience: 'kids', legacy: 'v1', keep: 'me' } }),
        desired({ removeTags: ['legacy', 'absent'] }),
        context,
      );
      expect(plan.changes).toEqual([
        {
          kind: 'untag-room',
          roomArn: ROOM,
          roomName: 'kids-1',
          tagKeys: ['legacy'],
          fields: [{ field: 'tag legacy', current: 'v1', desired: '(unset)' }],
        },
      ]);
    });

    it('writes the policy tag and assigns the policy when a named policy is wanted', () => {
      const plan = planRoom(room(), desired({ policy: 'strict' }), context);
      expect(plan.changes).toEqual([
        {
          kind: 'tag-room',
          roomArn: ROOM,
          roomName: 'kids-1',
          tags: { [POLICY_TAG_KEY]: 'strict' },
          fields: [{ field: `tag ${POLICY_TAG_KEY}`, current: '(unset)', desired: 'strict' }],
        },
        {
          kind: 'assign-policy',
          roomArn: ROOM,
          roomName: 'kids-1',
          policy: 'strict',
          fields: [{ field: 'policy', current: '(default)', desired: 'strict' }],
        },
      ]);
    });

    it('removes the policy tag and goes back to the default for policy default', () => {
      const plan = planRoom(
        room({ tags: { audience: 'kids', [POLICY_TAG_KEY]: 'strict' } }),
        desired({ policy: 'default' }),
        {
          ...context,
          publishedPolicy: 'strict',
        },
      );
      expect(only(plan.changes, 'untag-room').tagKeys).toEqual([POLICY_TAG_KEY]);
      expect(only(plan.changes, 'assign-policy')).toMatchObject({
        policy: undefined,
        fields: [{ field: 'policy', current: 'strict', desired: '(default)' }],
      });
      expect(plan.changes).toHaveLength(2);
    });

    it('treats an unset policy like default: the policy tag goes, the default is published', () => {
      const plan = planRoom(room({ tags: { [POLICY_TAG_KEY]: 'strict' } }), desired(), {
        ...context,
        publishedPolicy: 'strict',
      });
      expect(plan.changes.map((change) => change.kind)).toEqual(['untag-room', 'assign-policy']);
    });

    it('assigns the policy when only the published assignment lags behind the tag', () => {
      const plan = planRoom(room({ tags: { [POLICY_TAG_KEY]: 'strict' } }), desired({ policy: 'strict' }), {
        ...context,
        publishedPolicy: undefined,
      });
      expect(plan.changes.map((change) => change.kind)).toEqual(['assign-policy']);
    });

    it('retags a room whose policy tag names another policy', () => {
      const plan = planRoom(room({ tags: { [POLICY_TAG_KEY]: 'old' } }), desired({ policy: 'strict' }), {
        ...context,
        publishedPolicy: 'strict',
      });
      expect(plan.changes).toEqual([
        {
          kind: 'tag-room',
          roomArn: ROOM,
          roomName: 'kids-1',
          tags: { [POLICY_TAG_KEY]: 'strict' },
          fields: [{ field: `tag ${POLICY_TAG_KEY}`, current: 'old', desired: 'strict' }],
        },
      ]);
    });

    it('reports tags that would take the room past 50, still removing the ones to remove', () => {
      const full = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
      const plan = planRoom(
        room({ tags: full }),
        desired({ tags: { new1: 'a', new2: 'b' }, removeTags: ['k0'] }),
        context,
      );
      expect(plan.problems).toEqual([
        { roomArn: ROOM, message: "would carry 51 tags, more than IVS's 50; tags not added: new1, new2" },
      ]);
      expect(plan.changes.map((change) => change.kind)).toEqual(['untag-room']);
    });
  });
});

describe('ordering and counting changes', () => {
  const changes: Change[] = [
    { kind: 'delete-logging-configuration', arn: LC('z'), name: 'old' },
    { kind: 'assign-policy', roomArn: 'arn:b', roomName: 'b', policy: 'strict' },
    { kind: 'tag-room', roomArn: 'arn:a', roomName: 'a', tags: { x: '1' } },
    { kind: 'update-room', roomArn: 'arn:b', roomName: 'b', update: { maximumMessageLength: 5 }, fields: [] },
    {
      kind: 'update-logging-configuration',
      arn: LC('u'),
      name: 'archive',
      destination: { s3: { bucketName: 'b' } },
      fields: [],
    },
    {
      kind: 'create-logging-configuration',
      name: 'chat',
      destination: { s3: { bucketName: 'c' } },
      tags: {},
    },
    { kind: 'untag-room', roomArn: 'arn:a', roomName: 'a', tagKeys: ['y'] },
  ];

  it('puts logging configurations first, rooms by ARN, and deletions of configurations last', () => {
    expect(
      orderChanges(changes).map(
        (change) => `${change.kind} ${'roomArn' in change ? change.roomArn : change.name}`,
      ),
    ).toEqual([
      'update-logging-configuration archive',
      'create-logging-configuration chat',
      'tag-room arn:a',
      'untag-room arn:a',
      'update-room arn:b',
      'assign-policy arn:b',
      'delete-logging-configuration old',
    ]);
  });

  it('is deterministic whatever the input order', () => {
    expect(orderChanges([...changes].reverse())).toEqual(orderChanges(changes));
  });

  it('counts changes by kind', () => {
    expect(countChanges(changes)).toEqual({
      total: 7,
      'delete-logging-configuration': 1,
      'assign-policy': 1,
      'tag-room': 1,
      'update-room': 1,
      'update-logging-configuration': 1,
      'create-logging-configuration': 1,
      'untag-room': 1,
    });
    expect(countChanges([])).toEqual({ total: 0 });
  });
});
