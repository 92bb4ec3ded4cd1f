import { describe, expect, it } from 'vitest';
import { readEvalCorpus, scoreCorpus } from '../../bench/scoring.js';
import { evalTargets } from '../../bench/targets.js';
import { evaluateMessage } from '../../shared/rules/evaluate.js';
import { defaultPolicy } from '../helpers/default-policy.js';

describe('the default policy on the evaluation corpus', () => {
  // Quality is a property of the code, not of the machine: a change that costs recall or adds false positives
  // fails here, before anyone runs `npm run eval`.
  it('meets every recall and false-positive target', () => {
    const scores = scoreCorpus(
      readEvalCorpus(),
      (text) => evaluateMessage(text, {}, defaultPolicy).verdict !== 'allow',
    );
    const results = evalTargets(scores);
    expect(results).toHaveLength(4);
    for (const result of results) expect(result, result.target).toMatchObject({ pass: true });
  });
});
