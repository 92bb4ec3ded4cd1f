import { describe, expect, it } from 'vitest';
import { functionName, readReviewReply, reviewWithFallback } from '../../../local/ivschat/message-review.js';

const LIMIT = 10;

describe('Function: readReviewReply', () => {
  it.each<[string, unknown]>([
    ['not an object', 'ALLOW'],
    ['null', null],
    ['an unknown ReviewResult', { ReviewResult: 'MAYBE', Content: 'x', Attributes: {} }],
    ['a lower-case ReviewResult', { ReviewResult: 'allow', Content: 'x', Attributes: {} }],
    ['non-string Content', { ReviewResult: 'ALLOW', Content: 42, Attributes: {} }],
    ['an ALLOW without Content', { ReviewResult: 'ALLOW', Attributes: {} }],
    [
      'Content over the room limit',
      { ReviewResult: 'ALLOW', Content: 'x'.repeat(LIMIT + 1), Attributes: {} },
    ],
    ['non-string attribute values', { ReviewResult: 'ALLOW', Content: 'x', Attributes: { n: 1 } }],
    ['Attributes that are an array', { ReviewResult: 'DENY', Content: 'x', Attributes: ['Reason'] }],
    ['Attributes over 1 KB', { ReviewResult: 'ALLOW', Content: 'x', Attributes: { k: 'v'.repeat(1024) } }],
  ])('calls %s invalid', (_case, reply) => {
    expect(readReviewReply(reply, LIMIT)).toEqual(expect.any(String));
  });

  it('reads an ALLOW with rewritten content, whose attributes replace the sender’s', () => {
    const reply = {
      ReviewResult: 'ALLOW',
      Content: 'what the ****',
      Attributes: { 'moderation.result': 'masked' },
    };
    expect(readReviewReply(reply, 20)).toEqual({
      result: 'ALLOW',
      content: 'what the ****',
      attributes: { 'moderation.result': 'masked' },
    });
  });

  it('counts the room limit in code points', () => {
    expect(readReviewReply({ ReviewResult: 'ALLOW', Content: '😀'.repeat(LIMIT) }, LIMIT)).toMatchObject({
      result: 'ALLOW',
      attributes: {},
    });
  });

  it("reads a DENY's Reason, and a DENY without one", () => {
    expect(
      readReviewReply({ ReviewResult: 'DENY', Content: '', Attributes: { Reason: 'no' } }, LIMIT),
    ).toEqual({
      result: 'DENY',
      reason: 'no',
    });
    expect(readReviewReply({ ReviewResult: 'DENY' }, LIMIT)).toEqual({ result: 'DENY', reason: undefined });
  });
});

describe('Function: reviewWithFallback', () => {
  const event = {
    Content: 'hello',
    MessageId: 'AbCdEfGhIjKl',
    RoomArn: 'arn:aws:ivschat:us-east-1:123456789012:room/AbCdEfGhIjKl',
    Attributes: { a: 'b' },
    Sender: { UserId: 'u', Attributes: {}, Ip: '127.0.0.1' },
  };
  const call = {
    event,
    functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:review:live',
    fallbackResult: 'ALLOW' as const,
    timeoutMs: 50,
    maximumMessageLength: 500,
  };

  it('passes the handler a Lambda context named after the function', async () => {
    let name = '';
    const verdict = await reviewWithFallback({
      ...call,
      review: async (_event, context) => {
        name = context.functionName;
        return { ReviewResult: 'ALLOW', Content: 'hi', Attributes: {} };
      },
    });
    expect(name).toBe('review');
    expect(verdict).toEqual({ result: 'ALLOW', content: 'hi', attributes: {} });
  });

  it('treats a synchronous throw like a failed invocation', async () => {
    const verdict = await reviewWithFallback({
      ...call,
      fallbackResult: 'DENY',
      review: () => {
        throw new Error('boom');
      },
    });
    expect(verdict).toEqual({ result: 'DENY', reason: undefined, fallbackCause: 'failed: boom' });
  });

  it('delivers the original message and attributes on an ALLOW fallback', async () => {
    const verdict = await reviewWithFallback({ ...call, review: () => new Promise(() => undefined) });
    expect(verdict).toEqual({
      result: 'ALLOW',
      content: 'hello',
      attributes: { a: 'b' },
      fallbackCause: 'timed out after 50 ms',
    });
  });
});

describe('Function: functionName', () => {
  it.each([
    ['arn:aws:lambda:us-east-1:123456789012:function:review', 'review'],
    ['arn:aws:lambda:us-east-1:123456789012:function:review:live', 'review'],
    ['not-an-arn', 'not-an-arn'],
  ])('%s → %s', (arn, name) => {
    expect(functionName(arn)).toBe(name);
  });
});
