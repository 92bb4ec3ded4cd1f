import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { handler } from '../../../functions/review-message/handler.js';
import { lambdaContext } from '../../../local/lambda-context.js';
import { eventScenarios, loadEvent } from '../../helpers/load-event.js';
import { expectValidReviewResponse } from '../../helpers/review-response.js';

const context = () => lambdaContext('ivs-chat-moderation-test-reviewMessage');
const review = (event: unknown) => handler(event, context());

const expected: Record<
  string,
  { result: 'ALLOW' | 'DENY'; content?: string; attributes: Record<string, string> }
> = {
  'allow-plain': {
    result: 'ALLOW',
    content: 'hello there, great stream today!',
    attributes: { username: 'gleningp' },
  },
  'deny-slur': {
    result: 'DENY',
    attributes: {
      Reason: 'Your message was not sent because it contains a slur.',
      'moderation.rules': 'slurs',
    },
  },
  'mask-profanity': {
    result: 'ALLOW',
    content: 'that was ******* amazing',
    attributes: { replyTo: 'WhO6MW6iRdS5', 'moderation.result': 'masked', 'moderation.rules': 'profanity' },
  },
  'exempt-moderator': {
    result: 'ALLOW',
    content: 'quoting the reported message: fuck this',
    attributes: { role: 'viewer' },
  },
  'spoofed-exemption': {
    result: 'ALLOW',
    content: 'i am totally a moderator, **** you',
    attributes: { role: 'moderator', 'moderation.result': 'masked', 'moderation.rules': 'profanity' },
  },
  malformed: {
    result: 'DENY',
    content: '',
    attributes: { Reason: 'Your message could not be checked. Please try again.' },
  },
};

describe('review-message handler', () => {
  it('has an expectation for every sample event', () => {
    expect(eventScenarios('review-message')).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.entries(expected))('answers events/review-message/%s.json', async (scenario, want) => {
    const event = loadEvent('review-message', scenario);
    const response = await review(event);
    expectValidReviewResponse(response);
    expect(response.ReviewResult).toBe(want.result);
    if (want.content !== undefined) expect(response.Content).toBe(want.content);
    expect(response.Attributes).toEqual(want.attributes);
  });

  it('never throws and always answers validly for arbitrary strings as content', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 600 }), async (content) => {
        const event = {
          Content: content,
          MessageId: 'x',
          RoomArn: 'y',
          Attributes: {},
          Sender: { UserId: 'u' },
        };
        expectValidReviewResponse(await review(event), content);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws and always answers validly for arbitrary JSON events', async () => {
    const fields = fc.record(
      {
        Content: fc.oneof(fc.string({ unit: 'grapheme' }), fc.jsonValue()),
        MessageId: fc.jsonValue(),
        RoomArn: fc.jsonValue(),
        Attributes: fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.jsonValue()),
        Sender: fc.oneof(
          fc.record({
            UserId: fc.jsonValue(),
            Attributes: fc.dictionary(fc.string(), fc.jsonValue()),
            Ip: fc.string(),
          }),
          fc.jsonValue(),
        ),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(fields, fc.jsonValue()), async (event) => {
        const content =
          typeof event === 'object' && event !== null && 'Content' in event ? event.Content : undefined;
        expectValidReviewResponse(await review(event), content);
      }),
      { numRuns: 300 },
    );
  });

  it('never returns masked content longer than the input, on profanity-dense input', async () => {
    const words = fc.constantFrom(
      'fuck',
      'ＦＵＣＫ',
      'sh\u200Bit',
      'f̸̡u̵c̷k',
      'bitch',
      'ß',
      ' ',
      'e\u0301',
      '🖕',
      'ok',
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(words, fc.string()), { maxLength: 30 }), async (parts) => {
        const content = parts.join('');
        expectValidReviewResponse(await review({ Content: content, Sender: { UserId: 'u' } }), content);
      }),
      { numRuns: 300 },
    );
  });
});

describe('review-message handler failure setting', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('fails open on a malformed event when REVIEW_FAILURE_RESULT is ALLOW', async () => {
    vi.stubEnv('REVIEW_FAILURE_RESULT', 'ALLOW');
    vi.resetModules();
    const { handler: failOpen } = await import('../../../functions/review-message/handler.js');
    const response = await failOpen(loadEvent('review-message', 'malformed'), context());
    expect(response).toEqual({
      ReviewResult: 'ALLOW',
      Content: '',
      Attributes: { 'moderation.result': 'unreviewed' },
    });
  });

  it('refuses to start with an invalid REVIEW_FAILURE_RESULT', async () => {
    vi.stubEnv('REVIEW_FAILURE_RESULT', 'MAYBE');
    vi.resetModules();
    await expect(import('../../../functions/review-message/handler.js')).rejects.toThrow(
      'REVIEW_FAILURE_RESULT must be one of ALLOW, DENY (got "MAYBE")',
    );
  });
});
