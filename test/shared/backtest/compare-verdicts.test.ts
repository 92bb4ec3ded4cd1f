import { describe, expect, it } from 'vitest';
import { markSpan, ruleChange, VerdictComparison } from '../../../shared/backtest/compare-verdicts.js';
import type { Decision, RuleMatch } from '../../../shared/rules/evaluate.js';

const match = (ruleId: string, action: 'deny' | 'mask', exempt = false): RuleMatch => ({
  ruleId,
  action,
  severity: 'low',
  term: ruleId,
  start: 0,
  end: 4,
  exempt,
});
const allow = (matches: RuleMatch[] = []): Decision => ({ verdict: 'allow', matches });
const deny = (matches: RuleMatch[]): Decision => ({ verdict: 'deny', ruleId: 'x', reason: 'no', matches });
const message = (id: string) => ({
  id,
  roomId: 'room',
  sendTime: '2026-11-27T18:00:00Z',
  content: 'word and more',
});

describe('VerdictComparison', () => {
  it('names every change of a rule effect, and none for no change', () => {
    expect(ruleChange('none', 'deny')).toBe('newly-denies');
    expect(ruleChange('none', 'mask')).toBe('newly-masks');
    expect(ruleChange('deny', 'none')).toBe('no-longer-denies');
    expect(ruleChange('mask', 'none')).toBe('no-longer-masks');
    expect(ruleChange('mask', 'deny')).toBe('denies-instead-of-masking');
    expect(ruleChange('deny', 'mask')).toBe('masks-instead-of-denying');
    expect(ruleChange('mask', 'mask')).toBeUndefined();
  });

  it('counts a rule a sender is exempt from as not acting, and keeps at most N examples a bucket', () => {
    const comparison = new VerdictComparison(1);
    comparison.add(message('m1'), allow([match('links', 'deny', true)]), deny([match('links', 'deny')]));
    comparison.add(message('m2'), allow(), deny([match('links', 'deny')]));
    // A rule that stops matching, while another starts: both are reported.
    comparison.add(message('m3'), deny([match('old', 'deny')]), deny([match('new', 'deny')]));
    const result = comparison.result();
    expect(result).toMatchObject({ messages: 3, changed: 2 });
    expect(result.transitions.ALLOW.DENY).toBe(2);
    expect(result.transitions.DENY.DENY).toBe(1);
    expect(result.rules.map(({ ruleId, changes }) => [ruleId, Object.keys(changes)])).toEqual([
      ['links', ['newly-denies']],
      ['new', ['newly-denies']],
      ['old', ['no-longer-denies']],
    ]);
    expect(result.rules[0]?.changes['newly-denies']).toMatchObject({
      count: 2,
      examples: [{ messageId: 'm1', text: '«word» and more' }],
    });
  });

  it('marks the span, shortens around it and keeps an example on one line', () => {
    const long = `${'a'.repeat(100)}\nbad\t${'b'.repeat(100)}`;
    expect(markSpan(long, 101, 104)).toBe(`…${'a'.repeat(59)} «bad» ${'b'.repeat(59)}…`);
    expect(markSpan('whole message', 0, 13)).toBe('«whole message»');
  });
});
