import { describe, expect, it } from 'vitest';
import { parseReviewRequest } from '../../../shared/review/review-contract.js';
import { FAILURE_REASON, reviewMessage } from '../../../shared/review/review-message.js';
import { defaultPolicy } from '../../helpers/default-policy.js';
import { expectValidReviewResponse } from '../../helpers/review-response.js';

const failClosed = { failureResult: 'DENY' } as const;
const failOpen = { failureResult: 'ALLOW' } as const;

function event(content: unknown, extra: Record<string, unknown> = {}) {
  return {
    Content: content,
    MessageId: 'Ab12Cd34Ef56',
    RoomArn: 'arn:aws:ivschat:us-east-1:123456789012:room/abc',
    Attributes: {},
    Sender: { UserId: 'u1', Attributes: { role: 'viewer' }, Ip: '192.0.2.1' },
    ...extra,
  };
}

describe('reviewMessage', () => {
  it('passes clean messages through with the client attributes', () => {
    const outcome = reviewMessage(event('hi', { Attributes: { emote: 'wave' } }), defaultPolicy, failClosed);
    expect(outcome.response).toEqual({ ReviewResult: 'ALLOW', Content: 'hi', Attributes: { emote: 'wave' } });
    expect(outcome).toMatchObject({ result: 'ALLOW', messageId: 'Ab12Cd34Ef56', userId: 'u1', ruleIds: [] });
  });

  it('removes client attributes that impersonate the moderation attributes', () => {
    const outcome = reviewMessage(
      event('hi', { Attributes: { 'moderation.result': 'masked', 'moderation.rules': 'x', ok: 'yes' } }),
      defaultPolicy,
      failClosed,
    );
    expect(outcome.response.Attributes).toEqual({ ok: 'yes' });
  });

  it('marks masked messages and names the rules', () => {
    const outcome = reviewMessage(event('oh shit'), defaultPolicy, failClosed);
    expect(outcome.response).toEqual({
      ReviewResult: 'ALLOW',
      Content: 'oh ****',
      Attributes: { 'moderation.result': 'masked', 'moderation.rules': 'profanity' },
    });
  });

  it('keeps the moderation attributes within the 1 KB attribute budget', () => {
    const big = { filler: 'x'.repeat(990) };
    const outcome = reviewMessage(event('oh shit', { Attributes: big }), defaultPolicy, failClosed);
    expect(outcome.response.Content).toBe('oh ****');
    expect(outcome.response.Attributes).toEqual({ ...big, 'moderation.result': 'masked' });
  });

  it('denies with the reason the sender sees', () => {
    const outcome = reviewMessage(event('ur a faggot'), defaultPolicy, failClosed);
    expect(outcome.response.ReviewResult).toBe('DENY');
    expect(outcome.response.Attributes.Reason).toBe('Your message was not sent because it contains a slur.');
    expect(outcome.result).toBe('DENY');
  });

  it('reads exemptions from sender attributes, never from message attributes', () => {
    const spoofed = event('fuck', { Attributes: { role: 'moderator' } });
    expect(reviewMessage(spoofed, defaultPolicy, failClosed).result).toBe('MASK');
    const real = event('fuck', { Sender: { UserId: 'm', Attributes: { role: 'moderator' } } });
    expect(reviewMessage(real, defaultPolicy, failClosed).result).toBe('ALLOW');
  });

  it.each([
    ['not an object', 'hello'],
    ['null', null],
    ['content not a string', event(42)],
    ['content missing', { MessageId: 'x' }],
  ])('gives a malformed event (%s) the failure verdict', (_name, input) => {
    const closed = reviewMessage(input, defaultPolicy, failClosed);
    expect(closed.response).toEqual({
      ReviewResult: 'DENY',
      Content: '',
      Attributes: { Reason: FAILURE_REASON },
    });
    expect(closed.failure).toBeDefined();
    const open = reviewMessage(input, defaultPolicy, failOpen);
    expect(open.response).toEqual({
      ReviewResult: 'ALLOW',
      Content: '',
      Attributes: { 'moderation.result': 'unreviewed' },
    });
  });

  it('keeps the identifiers of a malformed event for the logs', () => {
    const outcome = reviewMessage(event(42), defaultPolicy, failClosed);
    expect(outcome).toMatchObject({
      messageId: 'Ab12Cd34Ef56',
      userId: 'u1',
      failure: 'Content is not a string',
    });
  });

  it('does not review content over maxContentLength', () => {
    const long = `fuck ${'a'.repeat(5000)}`;
    const closed = reviewMessage(event(long), defaultPolicy, failClosed);
    expect(closed).toMatchObject({ result: 'DENY', failure: 'content is longer than maxContentLength' });
    const open = reviewMessage(event(long), defaultPolicy, failOpen);
    expect(open.response).toMatchObject({ ReviewResult: 'ALLOW', Content: long });
  });

  it('reviews content even when the other fields are malformed, without exemptions', () => {
    const outcome = reviewMessage(
      { Content: 'fuck', Sender: 'moderator', Attributes: [1, 2] },
      defaultPolicy,
      failClosed,
    );
    expect(outcome.result).toBe('MASK');
    expectValidReviewResponse(outcome.response, 'fuck');
  });
});

describe('parseReviewRequest', () => {
  it('keeps only string attributes and treats __proto__ as a plain key', () => {
    const parsed = parseReviewRequest(
      JSON.parse('{"Content":"x","Attributes":{"__proto__":"p","n":1,"s":"v"}}'),
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(Object.getPrototypeOf(parsed.request.attributes)).toBe(Object.prototype);
    expect(Object.entries(parsed.request.attributes)).toEqual([
      ['__proto__', 'p'],
      ['s', 'v'],
    ]);
  });
});
