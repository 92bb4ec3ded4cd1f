import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicyFile } from '../../../shared/policy/load-policy-file.js';
import { compilePolicy } from '../../../shared/rules/compile-policy.js';
import type { NormalizationStep } from '../../../shared/rules/explain.js';
import { explainMessage } from '../../../shared/rules/explain.js';
import { compileRegex } from '../../../shared/rules/linear-regex.js';
import { defaultPolicy } from '../../helpers/default-policy.js';
import { REPO_ROOT } from '../../helpers/run-command.js';

const stepsOf = (content: string): NormalizationStep[] =>
  explainMessage(content, {}, defaultPolicy).matches.flatMap((match) => match.steps.map(({ step }) => step));

describe('explainMessage', () => {
  it('names the matched characters, their place in the message and the term', () => {
    const { decision, matches } = explainMessage('well fuсk that', {}, defaultPolicy);
    expect(decision.verdict).toBe('mask');
    expect(matches).toEqual([
      expect.objectContaining({
        ruleId: 'profanity',
        term: 'fuck*',
        text: 'fuсk',
        start: 5,
        end: 9,
        steps: [{ step: 'lookalikes', examples: ['"с" U+0441 → "c"'] }],
      }),
    ]);
  });

  it('tells each normalization step apart', () => {
    expect(stepsOf('fuck')).toEqual([]);
    expect(stepsOf('FUCK')).toEqual(['case']);
    expect(stepsOf('ｆｕｃｋ')).toEqual(['compatibility']);
    expect(stepsOf('sh\u200bit')).toEqual(['invisible']);
    expect(stepsOf('s̷h̷i̷t̷')).toEqual(['marks']);
    expect(stepsOf('shït')).toEqual(['diacritics']);
    expect(stepsOf('ꜱʜɪᴛ')).toEqual(['lookalikes']);
    expect(stepsOf('sh1t')).toEqual(['leetspeak']);
    expect(stepsOf('fuuuuck')).toEqual(['stretched']);
    expect(stepsOf('f.u.c.k')).toEqual(['spelled-out']);
    expect(stepsOf('F.U.C.K')).toEqual(['case', 'spelled-out']);
  });

  it('needs no steps for a rule that judges the whole message', () => {
    const policy = compilePolicy(
      loadPolicyFile(path.join(REPO_ROOT, 'test/fixtures/policies/every-kind.yaml')),
      {
        compileRegex,
      },
    );
    const { matches } = explainMessage('STOP SHOUTING AT ME PLEASE', {}, policy);
    expect(matches).toEqual([
      expect.objectContaining({ ruleId: 'caps', text: 'STOP SHOUTING AT ME PLEASE', steps: [] }),
    ]);
  });
});
