import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseRoomManifest, RoomManifestError } from '../../shared/rooms/load-room-manifest.js';
import { resolveDesiredRoom } from '../../shared/rooms/resolve-desired-room.js';
import type { RoomManifestServices } from '../../shared/rooms/validate-room-manifest.js';
import {
  OWNER_TAG_KEY,
  POLICY_TAG_KEY,
  validateRoomManifest,
} from '../../shared/rooms/validate-room-manifest.js';
import {
  expectLocatedIssues,
  fuzzParameters,
  garbage,
  hostileJson,
  hostileString,
  nearValid,
  PROTOTYPE_KEYS,
  yamlText,
} from '../helpers/fuzz.js';

/**
 * The rooms manifest: any text is a manifest or a RoomManifestError naming each problem's place, and a manifest
 * the validator accepts keeps IVS's limits and can be resolved for any room.
 */

/** Policy files are the loader's to read: here one named broken.yaml fails, every other loads. */
const SERVICES: RoomManifestServices = {
  checkPolicy: (_name, file) =>
    file === 'broken.yaml' ? 'broken.yaml:3:1: rules: must be a list' : undefined,
};
const VALID = `
changeBudget: 20
policies: { strict: policies/strict.yaml, kids: kids.yaml }
loggingConfigurations:
  - { name: moderation-chat-logs, destination: { stage: log-group } }
  - { name: archive, destination: { firehose: chat-archive } }
  - { name: old, destination: { s3: old-bucket }, remove: true }
rooms:
  - select: all
    reviewHandler: { uri: stage, fallbackResult: ALLOW }
    loggingConfigurations: [moderation-chat-logs]
  - select: { tags: { audience: kids }, namePrefix: kids- }
    policy: kids
    maximumMessageLength: 200
    maximumMessageRatePerSecond: 5
    tags: { tier: young }
    removeTags: [legacy]
  - select: { arns: ["arn:aws:ivschat:us-east-1:123456789012:room/AbCdEf123456"] }
    reviewHandler: { uri: "arn:aws:lambda:us-east-1:123456789012:function:review", fallbackResult: DENY }
    loggingConfigurations: [moderation-chat-logs, archive]
`;
const valid = fc.constant<unknown>(parse(VALID));
const room = fc.record({
  arn: fc.constantFrom(
    'arn:aws:ivschat:us-east-1:123456789012:room/AbCdEf123456',
    'arn:aws:ivschat:us-east-1:1:room/x',
  ),
  name: fc.oneof(fc.constantFrom('kids-lobby', 'lobby'), hostileString),
  tags: fc.dictionary(
    fc.oneof(fc.constantFrom('audience', 'tier', 'legacy', ...PROTOTYPE_KEYS), hostileString),
    fc.oneof(fc.constantFrom('kids', 'young'), hostileString),
    { maxKeys: 4 },
  ),
});

describe('fuzz: rooms manifest documents', () => {
  it('validates any document to a manifest within IVS’s limits, or to every problem with its path', () => {
    fc.assert(
      fc.property(fc.oneof(garbage, nearValid(valid), valid), room, (raw, selectable) => {
        const result = validateRoomManifest(raw, SERVICES);
        if (!result.ok) {
          expect(result.issues.length).toBeGreaterThan(0);
          for (const issue of result.issues) expect(issue.message).toMatch(/\S/);
          return;
        }
        const { manifest } = result;
        expect(Number.isSafeInteger(manifest.changeBudget)).toBe(true);
        for (const entry of manifest.rooms) {
          const tags = Object.keys(entry.tags ?? {});
          expect(tags.length).toBeLessThanOrEqual(50);
          for (const key of [...tags, ...(entry.removeTags ?? [])]) {
            expect(key.toLowerCase().startsWith('aws:')).toBe(false);
            expect([POLICY_TAG_KEY, OWNER_TAG_KEY]).not.toContain(key);
          }
          expect((entry.loggingConfigurations ?? []).length).toBeLessThanOrEqual(3);
          if (entry.maximumMessageLength !== undefined)
            expect(entry.maximumMessageLength).toBeLessThanOrEqual(500);
        }
        const desired = resolveDesiredRoom(manifest, selectable);
        if (desired !== undefined) {
          for (const value of Object.values(desired.tags)) expect(typeof value).toBe('string');
          expect(
            desired.policy === undefined ||
              desired.policy === 'default' ||
              Object.hasOwn(manifest.policies, desired.policy),
          ).toBe(true);
        }
      }),
      fuzzParameters(40),
    );
  });

  it('regression: a value JSON cannot write is described, not a TypeError', () => {
    expect(validateRoomManifest(0n, SERVICES)).toEqual({
      ok: false,
      issues: [{ path: [], message: 'must be a mapping (got 0)' }],
    });
  });
});

describe('fuzz: rooms manifest YAML text', () => {
  const source = fc.oneof(
    hostileString,
    fc
      .tuple(fc.oneof(hostileJson, nearValid(valid)), fc.boolean())
      .map(([document, flow]) => yamlText(document, flow)),
    fc
      .tuple(fc.nat(), fc.nat(), hostileString)
      .map(([cut, at, insert]) =>
        `${VALID.slice(0, at % VALID.length)}${insert}${VALID.slice(at % VALID.length)}`.slice(
          0,
          cut % (VALID.length + insert.length + 1),
        ),
      ),
  );

  it('reads any text as a manifest or a RoomManifestError naming each problem’s place', () => {
    fc.assert(
      fc.property(source, (text) => {
        try {
          const manifest = parseRoomManifest(text, '/rooms/rooms.yaml', SERVICES);
          // Policy files are resolved against the manifest's folder.
          for (const file of Object.values(manifest.policies)) expect(file.startsWith('/')).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(RoomManifestError);
          if (!(error instanceof RoomManifestError)) return;
          expectLocatedIssues(error, '/rooms/rooms.yaml');
        }
      }),
      fuzzParameters(25),
    );
  });
});
