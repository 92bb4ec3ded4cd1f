import { describe, expect, it } from 'vitest';
import { verdictOf } from '../../../shared/backtest/compare-verdicts.js';
import { parsePolicy } from '../../../shared/policy/load-policy-file.js';
import { reviewMessage } from '../../../shared/review/review-message.js';
import { compilePolicy } from '../../../shared/rules/compile-policy.js';
import { evaluateMessage } from '../../../shared/rules/evaluate.js';
import { plainPlanFor } from '../../helpers/recheck-plan.js';

const policy = compilePolicy(
  parsePolicy(
    `version: 1
name: holding
rules:
  - { id: slurs, kind: terms, action: deny, severity: high, reason: No slurs., terms: [slurword] }
  - { id: held-links, kind: links, action: hold, severity: low, reason: Waiting for a moderator. }
  - { id: profanity, kind: terms, action: mask, severity: medium, reason: Language., terms: [darn] }
exemptions:
  - { senderAttribute: role, values: [moderator] }
`,
    'holding.yaml',
  ),
);

const event = (content: string, role = 'viewer') => ({
  Content: content,
  MessageId: 'Ab12Cd34Ef56',
  RoomArn: 'arn:aws:ivschat:us-east-1:123456789012:room/abc',
  Attributes: { emote: 'wave' },
  Sender: { UserId: 'u1', Attributes: { role } },
});

describe('a hold rule', () => {
  it('holds a message a deny rule does not refuse, and beats masking', () => {
    expect(evaluateMessage('darn, see example.com', {}, policy)).toMatchObject({
      verdict: 'hold',
      ruleId: 'held-links',
      reason: 'Waiting for a moderator.',
    });
    expect(evaluateMessage('slurword at example.com', {}, policy)).toMatchObject({
      verdict: 'deny',
      ruleId: 'slurs',
    });
    expect(evaluateMessage('see example.com', { role: 'moderator' }, policy)).toMatchObject({
      verdict: 'allow',
    });
  });

  it('is a DENY at review with the reason, and hands back the message to keep', () => {
    const outcome = reviewMessage(event('see example.com'), policy, { failureResult: 'DENY' });
    expect(outcome.result).toBe('HOLD');
    expect(outcome.response).toEqual({
      ReviewResult: 'DENY',
      Content: 'see example.com',
      Attributes: { Reason: 'Waiting for a moderator.', 'moderation.rules': 'held-links' },
    });
    expect(outcome.held).toEqual({
      roomArn: 'arn:aws:ivschat:us-east-1:123456789012:room/abc',
      messageId: 'Ab12Cd34Ef56',
      userId: 'u1',
      content: 'see example.com',
      attributes: { emote: 'wave' },
      senderAttributes: { role: 'viewer' },
      ruleIds: ['held-links'],
      reason: 'Waiting for a moderator.',
    });
    expect(reviewMessage(event('hello'), policy, { failureResult: 'DENY' }).held).toBeUndefined();
  });

  it('counts as a refusal in a backtest, and is taken down without a strike if it was delivered anyway', () => {
    expect(verdictOf(evaluateMessage('see example.com', {}, policy))).toBe('DENY');
    expect(plainPlanFor('see example.com', policy)).toEqual({ deleted: true, strikes: 0 });
  });
});
