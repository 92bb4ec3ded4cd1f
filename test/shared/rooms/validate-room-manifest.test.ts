import { describe, expect, it } from 'vitest';
import { formatYamlPath } from '../../../shared/config/yaml-document.js';
import type { RoomManifestServices } from '../../../shared/rooms/validate-room-manifest.js';
import {
  DEFAULT_CHANGE_BUDGET,
  OWNER_TAG_KEY,
  POLICY_TAG_KEY,
  validateRoomManifest,
} from '../../../shared/rooms/validate-room-manifest.js';

const ARN = 'arn:aws:ivschat:us-east-1:123456789012:room/AbCdEf123456';
const LAMBDA = 'arn:aws:lambda:us-east-1:123456789012:function:review';

/** Every policy file loads, except one named broken.yaml. */
const services: RoomManifestServices = {
  checkPolicy: (_name, file) =>
    file === 'broken.yaml' ? 'broken.yaml:3:1: rules: must be a list' : undefined,
};

function issuesOf(raw: unknown): string[] {
  const result = validateRoomManifest(raw, services);
  if (result.ok) throw new Error('expected the manifest to be refused');
  return result.issues.map((issue) => `${formatYamlPath(issue.path)}: ${issue.message}`);
}

function manifestOf(raw: unknown) {
  const result = validateRoomManifest(raw, services);
  if (!result.ok) throw new Error(result.issues.map((issue) => issue.message).join('\n'));
  return result.manifest;
}

/** A valid manifest to break one field of. */
function base(extra: Record<string, unknown> = {}) {
  return {
    policies: { strict: 'policies/strict.yaml' },
    loggingConfigurations: [
      { name: 'logs', destination: { stage: 'log-group' } },
      { name: 'old', destination: { s3: 'old-bucket' }, remove: true },
    ],
    ...extra,
  };
}

function entry(fields: Record<string, unknown>) {
  return base({ rooms: [{ select: 'all', ...fields }] });
}

describe('a valid rooms manifest', () => {
  it('reads every field, with defaults filled', () => {
    const manifest = manifestOf({
      changeBudget: 20,
      policies: { strict: 'policies/strict.yaml' },
      loggingConfigurations: [
        { name: 'moderation-chat-logs', destination: { stage: 'log-group' } },
        { name: 'stream', destination: { stage: 'delivery-stream' } },
        { name: 'named_logs', destination: { cloudWatchLogs: '/aws/ivs/chat#1' } },
        { name: 'hose', destination: { firehose: 'my.stream_1' } },
        { name: 'old-archive', destination: { s3: 'my-old-bucket' }, remove: true },
      ],
      rooms: [
        {
          select: 'all',
          reviewHandler: { uri: 'stage' },
          loggingConfigurations: ['moderation-chat-logs'],
          tags: { 'moderated-by': 'ivs-chat-moderation', empty: '' },
        },
        {
          select: { tags: { audience: 'kids' }, namePrefix: 'game-', arns: [ARN] },
          policy: 'strict',
          reviewHandler: { uri: LAMBDA, fallbackResult: 'DENY' },
          maximumMessageLength: 200,
          maximumMessageRatePerSecond: 5,
          removeTags: ['legacy'],
        },
        { select: { namePrefix: 'lobby' }, policy: 'default', reviewHandler: { uri: 'none' } },
      ],
    });
    expect(manifest).toEqual({
      changeBudget: 20,
      policies: { strict: 'policies/strict.yaml' },
      loggingConfigurations: [
        { name: 'moderation-chat-logs', destination: { stage: 'log-group' }, remove: false },
        { name: 'stream', destination: { stage: 'delivery-stream' }, remove: false },
        { name: 'named_logs', destination: { cloudWatchLogs: '/aws/ivs/chat#1' }, remove: false },
        { name: 'hose', destination: { firehose: 'my.stream_1' }, remove: false },
        { name: 'old-archive', destination: { s3: 'my-old-bucket' }, remove: true },
      ],
      rooms: [
        {
          select: { all: true },
          reviewHandler: { uri: 'stage', fallbackResult: 'ALLOW' },
          loggingConfigurations: ['moderation-chat-logs'],
          tags: { 'moderated-by': 'ivs-chat-moderation', empty: '' },
        },
        {
          select: { tags: { audience: 'kids' }, namePrefix: 'game-', arns: [ARN] },
          policy: 'strict',
          reviewHandler: { uri: LAMBDA, fallbackResult: 'DENY' },
          maximumMessageLength: 200,
          maximumMessageRatePerSecond: 5,
          removeTags: ['legacy'],
        },
        {
          select: { namePrefix: 'lobby' },
          policy: 'default',
          reviewHandler: { uri: 'none', fallbackResult: 'ALLOW' },
        },
      ],
    });
  });

  it('accepts an empty document or an empty rooms list: nothing is selected', () => {
    const empty = { changeBudget: DEFAULT_CHANGE_BUDGET, policies: {}, loggingConfigurations: [], rooms: [] };
    expect(manifestOf(null)).toEqual(empty);
    expect(manifestOf({})).toEqual(empty);
    expect(manifestOf({ rooms: [] })).toEqual(empty);
    expect(manifestOf({ rooms: null })).toEqual(empty);
  });

  it('exports the reserved tag keys', () => {
    expect(POLICY_TAG_KEY).toBe('ivs-mod:policy');
    expect(OWNER_TAG_KEY).toBe('ivs-mod:owner');
  });

  it('keeps a __proto__ tag key as a key rather than setting a prototype', () => {
    const raw: unknown = JSON.parse('{"rooms":[{"select":"all","tags":{"__proto__":"x","a":"b"}}]}');
    const tags = manifestOf(raw).rooms[0]?.tags ?? {};
    expect(Object.keys(tags)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(tags)).toBe(Object.prototype);
  });

  it('accepts the boundaries of every range', () => {
    const manifest = manifestOf({
      changeBudget: 1,
      rooms: [
        { select: 'all', maximumMessageLength: 1, maximumMessageRatePerSecond: 100 },
        { select: 'all', maximumMessageLength: 500, maximumMessageRatePerSecond: 1 },
        {
          select: 'all',
          tags: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v'.repeat(256)])),
        },
        { select: 'all', tags: { ['k'.repeat(128)]: 'v' } },
      ],
    });
    expect(manifest.rooms).toHaveLength(4);
  });
});

describe('refusing a rooms manifest', () => {
  it('refuses a document that is not a mapping, and unknown keys at every level', () => {
    expect(issuesOf(['rooms'])).toEqual(['(document): must be a mapping (got a list)']);
    expect(
      issuesOf({
        room: [],
        loggingConfigurations: [{ name: 'a', destination: { s3: 'abc', bucket: 'x' }, extra: 1 }],
        rooms: [
          {
            select: { tag: { a: 'b' }, namePrefix: 'x' },
            maxMessageLength: 3,
            tags: { a: 'b' },
            reviewHandler: { uri: 'stage', fallback: 'DENY' },
          },
        ],
      }),
    ).toEqual([
      'room: unknown key; expected one of: changeBudget, policies, loggingConfigurations, rooms',
      'loggingConfigurations[0].extra: unknown key; expected one of: name, destination, remove',
      'loggingConfigurations[0].destination.bucket: unknown key; expected one of: stage, cloudWatchLogs, firehose, s3',
      'rooms[0].maxMessageLength: unknown key; expected one of: select, policy, reviewHandler, maximumMessageLength, maximumMessageRatePerSecond, loggingConfigurations, tags, removeTags',
      'rooms[0].select.tag: unknown key; expected one of: tags, namePrefix, arns',
      'rooms[0].reviewHandler.fallback: unknown key; expected one of: uri, fallbackResult',
    ]);
  });

  it('refuses a change budget that is not a whole number of at least 1', () => {
    expect(issuesOf({ changeBudget: 0 })).toEqual(['changeBudget: must be a whole number 1 or more (got 0)']);
    expect(issuesOf({ changeBudget: 2.5 })).toEqual([
      'changeBudget: must be a whole number 1 or more (got 2.5)',
    ]);
    expect(issuesOf({ changeBudget: '10' })).toEqual([
      'changeBudget: must be a whole number 1 or more (got "10")',
    ]);
  });

  it('refuses bad policy names, the reserved default, non-string files and policy files that fail to load', () => {
    expect(
      issuesOf({
        policies: {
          default: 'default.yaml',
          'has space': 'a.yaml',
          ['x'.repeat(65)]: 'b.yaml',
          broken: 'broken.yaml',
          numbered: 3,
          blank: '',
        },
      }),
    ).toEqual([
      `policies.default: "default" is reserved: it always means the stage's policy`,
      'policies.has space: a policy name must be 1 to 64 letters, digits, - and _',
      `policies.${'x'.repeat(65)}: a policy name must be 1 to 64 letters, digits, - and _`,
      'policies.broken: broken.yaml:3:1: rules: must be a list',
      'policies.numbered: must be a string (got 3); quote it to make it text',
      'policies.blank: must be 1 to 4096 characters long (got 0)',
    ]);
    expect(issuesOf({ policies: ['strict.yaml'] })).toEqual([
      'policies: must be a mapping of policy name to policy file (got a list)',
    ]);
  });

  it('passes the policy name and the file as written to checkPolicy', () => {
    const calls: string[] = [];
    validateRoomManifest(
      { policies: { strict: 'policies/strict.yaml' } },
      {
        checkPolicy: (name, file) => {
          calls.push(`${name}=${file}`);
          return undefined;
        },
      },
    );
    expect(calls).toEqual(['strict=policies/strict.yaml']);
  });

  it('refuses an entry policy that is neither default nor defined, but not one whose file failed', () => {
    expect(
      issuesOf({
        policies: { broken: 'broken.yaml' },
        rooms: [
          { select: 'all', policy: 'strictest' },
          { select: 'all', policy: 'broken' },
          { select: 'all', policy: 7 },
        ],
      }),
    ).toEqual([
      'policies.broken: broken.yaml:3:1: rules: must be a list',
      'rooms[0].policy: unknown policy "strictest"; defined under policies: default, broken',
      'rooms[2].policy: must be a policy name (got 7)',
    ]);
  });

  it('refuses bad logging configuration names and duplicates', () => {
    expect(
      issuesOf({
        loggingConfigurations: [
          { name: 'chat logs', destination: { stage: 'log-group' } },
          { name: 'x'.repeat(129), destination: { stage: 'log-group' } },
          { name: 'dup', destination: { stage: 'log-group' } },
          { name: 'dup', destination: { s3: 'bucket' } },
          { destination: { stage: 'log-group' } },
          'just-a-name',
        ],
      }),
    ).toEqual([
      'loggingConfigurations[0].name: must be letters, digits, - and _ only (IVS LoggingConfigurationName)',
      'loggingConfigurations[1].name: must be 1 to 128 characters long (got 129)',
      'loggingConfigurations[3].name: duplicate logging configuration name "dup"',
      'loggingConfigurations[4].name: must be a string (got nothing)',
      'loggingConfigurations[5]: must be a mapping (got "just-a-name")',
    ]);
  });

  it('refuses destinations that give no kind or several, and names IVS would refuse', () => {
    const at = (destination: unknown, remove?: unknown) =>
      issuesOf({
        loggingConfigurations: [{ name: 'a', destination, ...(remove === undefined ? {} : { remove }) }],
      });
    expect(at({})).toEqual([
      'loggingConfigurations[0].destination: must give exactly one of stage, cloudWatchLogs, firehose, s3 (got none)',
    ]);
    expect(at({ s3: 'abc', firehose: 'abc' })).toEqual([
      'loggingConfigurations[0].destination: must give exactly one of stage, cloudWatchLogs, firehose, s3 (got firehose, s3)',
    ]);
    expect(at(undefined)).toEqual(['loggingConfigurations[0].destination: must be a mapping (got nothing)']);
    expect(at({ stage: 'bucket' })).toEqual([
      'loggingConfigurations[0].destination.stage: must be one of log-group, delivery-stream (got "bucket")',
    ]);
    expect(at({ cloudWatchLogs: 'log group' })).toEqual([
      'loggingConfigurations[0].destination.cloudWatchLogs: not a valid CloudWatch Logs log group name: must match ^[.\\-_/#A-Za-z0-9]+$',
    ]);
    expect(at({ cloudWatchLogs: 'g'.repeat(513) })).toEqual([
      'loggingConfigurations[0].destination.cloudWatchLogs: must be 1 to 512 characters long (got 513)',
    ]);
    expect(at({ firehose: 'stream/1' })).toEqual([
      'loggingConfigurations[0].destination.firehose: not a valid Firehose delivery stream name: must match ^[a-zA-Z0-9_.-]+$',
    ]);
    expect(at({ firehose: 's'.repeat(65) })).toEqual([
      'loggingConfigurations[0].destination.firehose: must be 1 to 64 characters long (got 65)',
    ]);
    expect(at({ s3: 'My_Bucket' })).toEqual([
      'loggingConfigurations[0].destination.s3: not a valid S3 bucket name: must match ^[a-z0-9-.]+$',
    ]);
    expect(at({ s3: 'ab' })).toEqual([
      'loggingConfigurations[0].destination.s3: must be 3 to 63 characters long (got 2)',
    ]);
    expect(at({ s3: 'abc' }, 'yes')).toEqual([
      'loggingConfigurations[0].remove: must be true or false (got "yes")',
    ]);
  });

  it('refuses room entries that attach unknown, removed, repeated or more than 3 logging configurations', () => {
    expect(
      issuesOf(
        base({
          loggingConfigurations: [
            { name: 'a', destination: { stage: 'log-group' } },
            { name: 'b', destination: { s3: 'bbb' } },
            { name: 'c', destination: { s3: 'ccc' } },
            { name: 'd', destination: { s3: 'ddd' } },
            { name: 'old', destination: { s3: 'old' }, remove: true },
          ],
          rooms: [
            { select: 'all', loggingConfigurations: ['a', 'b', 'c', 'd'] },
            { select: 'all', loggingConfigurations: ['old', 'nope', 'a', 'a'] },
            { select: 'all', loggingConfigurations: 'a' },
          ],
        }),
      ),
    ).toEqual([
      "rooms[0].loggingConfigurations: at most 3 logging configurations per room (IVS's limit; got 4)",
      "rooms[1].loggingConfigurations: at most 3 logging configurations per room (IVS's limit; got 4)",
      'rooms[1].loggingConfigurations[0]: logging configuration "old" is marked remove: true; it cannot be attached',
      'rooms[1].loggingConfigurations[1]: unknown logging configuration "nope"; declared under loggingConfigurations: a, b, c, d, old',
      'rooms[1].loggingConfigurations[3]: "a" is listed twice',
      'rooms[2].loggingConfigurations: must be a list (got "a")',
    ]);
  });

  it('refuses selectors that are missing, empty, unknown or malformed', () => {
    expect(
      issuesOf({
        rooms: [
          { policy: 'default' },
          { select: {}, policy: 'default' },
          { select: 'some', policy: 'default' },
          { select: { arns: [] }, policy: 'default' },
          {
            select: { arns: ['arn:aws:ivschat:us-east-1:123456789012:logging-configuration/abc', 5] },
            policy: 'default',
          },
          { select: { namePrefix: 'game room' }, policy: 'default' },
          { select: { tags: {} }, policy: 'default' },
          { select: { tags: { audience: 3 } }, policy: 'default' },
        ],
      }),
    ).toEqual([
      'rooms[0].select: required: `all`, or a mapping of tags, namePrefix and/or arns',
      'rooms[1].select: selects nothing: give at least one of tags, namePrefix, arns, or write `select: all`',
      'rooms[2].select: must be `all` or a mapping of tags, namePrefix and/or arns (got "some")',
      'rooms[3].select.arns: must list at least one room ARN',
      'rooms[4].select.arns[0]: not a room ARN: must match ^arn:aws:ivschat:[a-z0-9-]+:[0-9]+:room\\/[a-zA-Z0-9-]+$',
      'rooms[4].select.arns[1]: must be a string (got 5); quote it to make it text',
      'rooms[5].select.namePrefix: no room name starts with it: room names are letters, digits, - and _',
      'rooms[6].select.tags: must name at least one tag',
      'rooms[7].select.tags.audience: must be a string (got 3); quote it to make it text',
    ]);
  });

  it('refuses review handlers with a bad uri or fallback result', () => {
    expect(
      issuesOf({
        rooms: [
          { select: 'all', reviewHandler: { uri: 'arn:aws:lambda:us-east-1:123:function:short-account' } },
          { select: 'all', reviewHandler: { uri: 'arn:aws-cn:lambda:cn-north-1:123456789012:function:x' } },
          { select: 'all', reviewHandler: { fallbackResult: 'ALLOW' } },
          { select: 'all', reviewHandler: { uri: 'stage', fallbackResult: 'allow' } },
          { select: 'all', reviewHandler: { uri: `${LAMBDA}${'x'.repeat(170)}` } },
          { select: 'all', reviewHandler: 'stage' },
        ],
      }),
    ).toEqual([
      'rooms[0].reviewHandler.uri: must be stage, none or a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>, at most 170 characters)',
      'rooms[1].reviewHandler.uri: must be stage, none or a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>, at most 170 characters)',
      'rooms[2].reviewHandler.uri: required: stage, none or a Lambda function ARN (got nothing)',
      'rooms[3].reviewHandler.fallbackResult: must be one of ALLOW, DENY (got "allow")',
      'rooms[4].reviewHandler.uri: must be stage, none or a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>, at most 170 characters)',
      'rooms[5].reviewHandler: must be a mapping (got "stage")',
    ]);
  });

  it('refuses message limits outside IVS ranges', () => {
    expect(
      issuesOf({
        rooms: [
          { select: 'all', maximumMessageLength: 0, maximumMessageRatePerSecond: 101 },
          { select: 'all', maximumMessageLength: 501, maximumMessageRatePerSecond: 0 },
          { select: 'all', maximumMessageLength: 20.5, maximumMessageRatePerSecond: '5' },
        ],
      }),
    ).toEqual([
      'rooms[0].maximumMessageLength: must be a whole number from 1 to 500 (got 0)',
      'rooms[0].maximumMessageRatePerSecond: must be a whole number from 1 to 100 (got 101)',
      'rooms[1].maximumMessageLength: must be a whole number from 1 to 500 (got 501)',
      'rooms[1].maximumMessageRatePerSecond: must be a whole number from 1 to 100 (got 0)',
      'rooms[2].maximumMessageLength: must be a whole number from 1 to 500 (got 20.5)',
      'rooms[2].maximumMessageRatePerSecond: must be a whole number from 1 to 100 (got "5")',
    ]);
  });

  it('refuses reserved, overlong and too many tags, and a key both set and removed', () => {
    expect(
      issuesOf(
        entry({
          tags: {
            'aws:cloudformation:stack-name': 'x',
            'AWS:thing': 'x',
            [POLICY_TAG_KEY]: 'strict',
            [OWNER_TAG_KEY]: 'me',
            ['k'.repeat(129)]: 'x',
            long: 'v'.repeat(257),
            version: 2,
            legacy: 'yes',
          },
          removeTags: ['legacy', 'aws:x', POLICY_TAG_KEY, '', 'gone', 'gone'],
        }),
      ),
    ).toEqual([
      'rooms[0].tags.aws:cloudformation:stack-name: tag keys starting with aws: are reserved by AWS',
      'rooms[0].tags.AWS:thing: tag keys starting with aws: are reserved by AWS',
      'rooms[0].tags.ivs-mod:policy: ivs-mod:policy is written by the reconciler from `policy`; set policy instead',
      'rooms[0].tags.ivs-mod:owner: ivs-mod:owner is reserved: it marks what a stage created',
      `rooms[0].tags.${'k'.repeat(129)}: a tag key must be 1 to 128 characters long (got 129)`,
      'rooms[0].tags.long: must be 0 to 256 characters long (got 257)',
      'rooms[0].tags.version: must be a string (got 2); quote it to make it text',
      'rooms[0].removeTags[0]: "legacy" is also set under tags in this entry; keep one',
      'rooms[0].removeTags[1]: tag keys starting with aws: are reserved by AWS',
      'rooms[0].removeTags[2]: ivs-mod:policy is written by the reconciler from `policy`; set policy instead',
      'rooms[0].removeTags[3]: must be 1 to 128 characters long (got 0)',
      'rooms[0].removeTags[5]: "gone" is listed twice',
    ]);
    const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    expect(issuesOf(entry({ tags: tooMany }))).toEqual(['rooms[0].tags: at most 50 tags (got 51)']);
    expect(issuesOf(entry({ tags: ['a'] }))).toEqual([
      'rooms[0].tags: must be a mapping of tag key to value (got a list)',
    ]);
    expect(issuesOf(entry({ removeTags: 'legacy' }))).toEqual([
      'rooms[0].removeTags: must be a list (got "legacy")',
    ]);
  });

  it('refuses an entry that sets nothing, and a rooms section that is not a list', () => {
    expect(issuesOf({ rooms: [{ select: 'all' }] })).toEqual([
      'rooms[0]: sets nothing: give at least one of policy, reviewHandler, maximumMessageLength, maximumMessageRatePerSecond, loggingConfigurations, tags, removeTags',
    ]);
    expect(issuesOf({ rooms: { select: 'all' } })).toEqual(['rooms: must be a list (got a mapping)']);
    expect(issuesOf({ rooms: ['all'] })).toEqual(['rooms[0]: must be a mapping (got "all")']);
  });
});
