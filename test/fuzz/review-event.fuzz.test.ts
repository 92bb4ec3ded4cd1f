import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { handler } from '../../functions/review-message/handler.js';
import {
  attributesBytes,
  codePointLength,
  MAX_ATTRIBUTES_BYTES,
} from '../../local/ivschat/client-requests.js';
import { readReviewReply } from '../../local/ivschat/message-review.js';
import { lambdaContext } from '../../local/lambda-context.js';
import { isRecord, isStringMap } from '../../shared/guards.js';
import { parsePolicy } from '../../shared/policy/load-policy-file.js';
import { parseReviewRequest } from '../../shared/review/review-contract.js';
import type { ReviewResult } from '../../shared/review/review-message.js';
import { reviewMessage } from '../../shared/review/review-message.js';
import { compilePolicy } from '../../shared/rules/compile-policy.js';
import { defaultPolicy } from '../helpers/default-policy.js';
import { fuzzParameters, garbage, hostileString, nearValid } from '../helpers/fuzz.js';
import { eventScenarios, loadEvent } from '../helpers/load-event.js';
import { expectValidReviewResponse } from '../helpers/review-response.js';

/**
 * The IVS message review event: whatever arrives, the answer is one IVS accepts (the emulator's own check of
 * the reply contract), an event that cannot be reviewed gets the failure verdict and never more, and a
 * refusal says why.
 */

const ROOM_ARN = 'arn:aws:ivschat:us-east-1:123456789012:room/g1H2I3j4k5L6';
const words = fc.constantFrom(
  'hello',
  'fuck',
  'ＦＵＣＫ',
  'sh\u200Bit',
  'example.com',
  '@someone',
  'HEY',
  '!!!!',
  ' ',
);
const attributeMap = fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ maxLength: 40 }), {
  maxKeys: 6,
});

/** Review events as IVS sends them: content within the room's 500 code points, attributes within 1 KB. */
const reviewEvent = fc.record({
  Content: fc.oneof(
    fc
      .array(fc.oneof(words, fc.string({ unit: 'grapheme', maxLength: 8 })), { maxLength: 20 })
      .map((parts) => parts.join(' ')),
    fc.string({ unit: 'binary', maxLength: 500 }),
  ),
  MessageId: fc.stringMatching(/^[a-zA-Z0-9]{12}$/),
  RoomArn: fc.constant(ROOM_ARN),
  Attributes: attributeMap,
  Sender: fc.record({
    UserId: fc.string({ minLength: 1, maxLength: 128 }),
    Attributes: fc.oneof(attributeMap, fc.constant({ role: 'moderator' })),
    Ip: fc.ipV4(),
  }),
});
const samples = fc.constantFrom(
  ...eventScenarios('review-message').map((name) => loadEvent('review-message', name)),
);
const valid = fc.oneof(reviewEvent, samples);
const anyEvent = fc.oneof(garbage, nearValid(valid), valid);

/**
 * What IVS itself would send: content of at most 500 code points and attributes of at most 1 KB. An event
 * that is not one is judged by its attributes too: the failure verdict may carry them on.
 */
function isWithinIvsLimits(event: unknown): boolean {
  const { ok, request } = parseReviewRequest(event);
  if (request === undefined) return true;
  if (attributesBytes(request.attributes) > MAX_ATTRIBUTES_BYTES) return false;
  return !ok || codePointLength(request.content) <= 500;
}

function expectAcceptedByIvs(event: unknown, response: unknown, failureResult: ReviewResult): void {
  const parsed = parseReviewRequest(event);
  expectValidReviewResponse(response, parsed.ok ? parsed.request.content : undefined);
  // JSON is what crosses the wire: nothing may be lost or changed on the way.
  expect(JSON.parse(JSON.stringify(response))).toEqual(response);
  if (!parsed.ok) expect(isRecord(response) && response.ReviewResult).toBe(failureResult);
  if (isWithinIvsLimits(event)) {
    const verdict = readReviewReply(response, 500);
    expect(typeof verdict === 'string' ? verdict : 'accepted').toBe('accepted');
  }
}

describe('fuzz: review event parsing', () => {
  it('parses anything without throwing, keeping only string fields and own string attributes', () => {
    fc.assert(
      fc.property(anyEvent, (event) => {
        const parsed = parseReviewRequest(event);
        const request = parsed.request;
        if (parsed.ok) expect(typeof parsed.request.content).toBe('string');
        else expect(parsed.problem).toMatch(/\S/);
        if (request === undefined) return;
        for (const text of [request.content, request.messageId, request.roomArn, request.sender.userId])
          expect(typeof text).toBe('string');
        for (const map of [request.attributes, request.sender.attributes]) {
          expect(isStringMap(map)).toBe(true);
          expect(Object.getPrototypeOf(map)).toBe(Object.prototype);
        }
      }),
      fuzzParameters(80),
    );
  });

  it.each(['ALLOW', 'DENY'] as const)(
    'answers anything within the IVS contract, with %s for what it cannot review',
    (failureResult) => {
      fc.assert(
        fc.property(anyEvent, (event) => {
          const outcome = reviewMessage(event, defaultPolicy, { failureResult });
          expectAcceptedByIvs(event, outcome.response, failureResult);
          if (outcome.failure !== undefined) expect(outcome.response.ReviewResult).toBe(failureResult);
        }),
        fuzzParameters(60),
      );
    },
  );

  /** A policy of `count` length rules with ids `idLength` long, every one refusing any message over 1 character. */
  const manyRules = (count: number, idLength: number) => {
    const rules = Array.from({ length: count }, (_, index) => {
      const id = `${index}-`.padEnd(idLength, 'x');
      return `  - { id: ${id}, kind: length, max: 1, action: deny, severity: high, reason: Too long. }`;
    });
    return compilePolicy(parsePolicy(`version: 1\nname: many\nrules:\n${rules.join('\n')}\n`, 'many.yaml'));
  };

  it('regression: a refusal by 17 rules with 58-character ids stays within 1 KB of attributes', () => {
    // Its rule list alone was 1,002 bytes: IVS would have judged the reply invalid and applied the fallback.
    const event = { Content: 'hello there', Sender: { UserId: 'u' } };
    const { response } = reviewMessage(event, manyRules(17, 58), { failureResult: 'DENY' });
    expect(response.ReviewResult).toBe('DENY');
    expect(response.Attributes.Reason).toBe('Too long.');
    expectAcceptedByIvs(event, response, 'DENY');
  });

  it('keeps a refusal by many long-named rules within the 1 KB IVS allows a reply’s attributes', () => {
    const policies = [manyRules(3, 4), manyRules(17, 58), manyRules(100, 63)];
    fc.assert(
      fc.property(fc.constantFrom(...policies), reviewEvent, (policy, generated) => {
        const event = { ...generated, Content: `${generated.Content}!!` };
        const outcome = reviewMessage(event, policy, { failureResult: 'DENY' });
        expect(outcome.response.ReviewResult).toBe('DENY');
        expectAcceptedByIvs(event, outcome.response, 'DENY');
      }),
      fuzzParameters(15),
    );
  });

  it('answers anything within the IVS contract through the deployed handler (failing closed)', async () => {
    const context = lambdaContext('ivs-chat-moderation-fuzz-reviewMessage');
    await fc.assert(
      fc.asyncProperty(fc.oneof(anyEvent, hostileString), async (event) => {
        expectAcceptedByIvs(event, await handler(event, context), 'DENY');
      }),
      fuzzParameters(25),
    );
  });
});
