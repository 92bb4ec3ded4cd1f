import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  readHeldRetentionMillis,
  readModerationSettings,
  readModeratorSettings,
  readReconcileSettings,
  readReviewSettings,
  readSanctionSettings,
} from '../../shared/config/env.js';
import { fuzzParameters, hostileString } from '../helpers/fuzz.js';

/**
 * The functions' settings, from whatever the environment holds: a frozen, checked value, or an Error at cold start
 * that names the key. An empty value is an unset one, for every key.
 */

const KEYS = [
  'AWS_REGION',
  'ENFORCEMENT_TABLE',
  'IDEMPOTENCY_TABLE',
  'IVSCHAT_ENDPOINT',
  'DYNAMODB_ENDPOINT',
  'ACTION_RATE_PER_SECOND',
  'FIREHOSE_ROOM_ARN',
  'REVIEW_FAILURE_RESULT',
  'REVIEW_FUNCTION_NAME',
  'RECONCILE_OWNER',
  'RECONCILE_MODE',
  'RECONCILE_FORCE',
  'CHAT_LOG_GROUP',
  'CHAT_DELIVERY_STREAM',
  'HELD_RETENTION_HOURS',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
] as const;
type Key = (typeof KEYS)[number];

/** Values a deploy could put there: unset, empty, a typo, a number in any spelling, or anything. */
const value = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(
    '',
    ' ',
    'ALLOW',
    'DENY',
    'apply',
    'plan',
    'true',
    'false',
    'TRUE',
    '25',
    '0',
    '0.5',
    '100',
    '101',
    '-1',
    '1e2',
    '0x10',
    'NaN',
    'Infinity',
    ' 72 ',
    '720',
    '721',
  ),
  // What an environment can hold: UTF-8 without NUL (a lone surrogate comes back as U+FFFD).
  hostileString.filter((text) => !text.includes('\u0000') && Buffer.from(text).toString() === text),
);
type Environment = ReadonlyMap<Key, string | undefined>;
const environment: fc.Arbitrary<Environment> = fc
  .array(value, { minLength: KEYS.length, maxLength: KEYS.length })
  .map((values) => new Map(KEYS.map((key, index) => [key, values[index]])));

function withEnvironment<T>(env: Environment, read: () => T): { value: T } | { error: unknown } {
  for (const key of KEYS) vi.stubEnv(key, env.get(key));
  try {
    return { value: read() };
  } catch (error) {
    return { error };
  } finally {
    vi.unstubAllEnvs();
  }
}

const set = (text: string | undefined): string | undefined =>
  text === undefined || text === '' ? undefined : text;

function expectNamedError(result: { error: unknown }, keys: readonly Key[]): void {
  expect(result.error).toBeInstanceOf(Error);
  const message = result.error instanceof Error ? result.error.message : '';
  expect(keys.some((key) => message.startsWith(`${key} must`))).toBe(true);
}

describe('fuzz: settings from the environment', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('reads every function’s settings as checked values, or fails naming the key', () => {
    fc.assert(
      fc.property(environment, (env) => {
        const review = withEnvironment(env, readReviewSettings);
        if ('error' in review) expectNamedError(review, ['REVIEW_FAILURE_RESULT']);
        else {
          expect(Object.isFrozen(review.value)).toBe(true);
          expect(review.value.failureResult).toBe(set(env.get('REVIEW_FAILURE_RESULT')) ?? 'DENY');
        }

        const moderation = withEnvironment(env, readModerationSettings);
        if ('error' in moderation)
          expectNamedError(moderation, [
            'AWS_REGION',
            'ENFORCEMENT_TABLE',
            'IDEMPOTENCY_TABLE',
            'ACTION_RATE_PER_SECOND',
          ]);
        else {
          const { region, enforcementTable, idempotencyTable, actionRatePerSecond, firehoseRoomArn } =
            moderation.value;
          expect([region, enforcementTable, idempotencyTable]).toEqual([
            env.get('AWS_REGION'),
            env.get('ENFORCEMENT_TABLE'),
            env.get('IDEMPOTENCY_TABLE'),
          ]);
          expect(actionRatePerSecond).toBe(Number(set(env.get('ACTION_RATE_PER_SECOND')) ?? '25'));
          expect(actionRatePerSecond > 0 && actionRatePerSecond <= 100).toBe(true);
          expect(firehoseRoomArn).toBe(set(env.get('FIREHOSE_ROOM_ARN')));
        }

        const reconcile = withEnvironment(env, readReconcileSettings);
        if ('error' in reconcile)
          expectNamedError(reconcile, [
            'AWS_REGION',
            'ENFORCEMENT_TABLE',
            'REVIEW_FUNCTION_NAME',
            'RECONCILE_OWNER',
            'RECONCILE_MODE',
            'RECONCILE_FORCE',
          ]);
        else {
          expect(reconcile.value.mode).toBe(set(env.get('RECONCILE_MODE')) ?? 'apply');
          expect(reconcile.value.force).toBe(env.get('RECONCILE_FORCE') === 'true');
        }

        const moderator = withEnvironment(env, readModeratorSettings);
        if ('error' in moderator)
          expectNamedError(moderator, ['AWS_REGION', 'ENFORCEMENT_TABLE', 'IDEMPOTENCY_TABLE']);
        else expect(moderator.value.dynamoDbEndpoint).toBe(set(env.get('DYNAMODB_ENDPOINT')));

        const retention = withEnvironment(env, readHeldRetentionMillis);
        if ('error' in retention) expectNamedError(retention, ['HELD_RETENTION_HOURS']);
        else {
          const hours = retention.value / 3_600_000;
          expect(Number.isInteger(hours) && hours >= 1 && hours <= 720).toBe(true);
          expect(hours).toBe(Number(set(env.get('HELD_RETENTION_HOURS')) ?? '72'));
        }

        // Review must answer even without credentials: this one never throws.
        const sanctions = withEnvironment(env, readSanctionSettings);
        expect('value' in sanctions).toBe(true);
        if ('value' in sanctions && sanctions.value.settings !== undefined) {
          const { tableName, region, credentials } = sanctions.value.settings;
          expect([tableName, region, credentials.accessKeyId]).toEqual([
            env.get('ENFORCEMENT_TABLE'),
            env.get('AWS_REGION'),
            env.get('AWS_ACCESS_KEY_ID'),
          ]);
        }
      }),
      fuzzParameters(30),
    );
  });

  it('regression: an empty ACTION_RATE_PER_SECOND or HELD_RETENTION_HOURS is unset, as every other key', () => {
    // Number('') is 0: empty values refused the deploy's first invocation, where other keys took their defaults.
    const env: Environment = new Map<Key, string>([
      ['AWS_REGION', 'us-east-1'],
      ['ENFORCEMENT_TABLE', 'e'],
      ['IDEMPOTENCY_TABLE', 'i'],
      ['ACTION_RATE_PER_SECOND', ''],
      ['HELD_RETENTION_HOURS', ''],
    ]);
    expect(withEnvironment(env, readModerationSettings)).toMatchObject({
      value: { actionRatePerSecond: 25 },
    });
    expect(withEnvironment(env, readHeldRetentionMillis)).toEqual({
      value: 72 * 3_600_000,
    });
  });
});
