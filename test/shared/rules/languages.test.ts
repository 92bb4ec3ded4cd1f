import { describe, expect, it } from 'vitest';
import { normalize } from '../../../shared/normalization/normalize.js';
import { parsePolicy } from '../../../shared/policy/load-policy-file.js';
import { compilePolicy } from '../../../shared/rules/compile-policy.js';
import { evaluateMessage } from '../../../shared/rules/evaluate.js';
import { TermMatcher } from '../../../shared/rules/term-matcher.js';

const policy = compilePolicy(
  parsePolicy(
    `version: 1
name: languages
rules:
  - id: words
    kind: terms
    action: mask
    severity: low
    reason: Please keep it clean.
    lexicons:
      - { source: naughty-words, language: en }
      - { source: naughty-words, language: es }
      - { source: naughty-words, language: fr }
      - { source: naughty-words, language: de }
      - { source: naughty-words, language: zh }
      - { source: naughty-words, language: ja }
`,
    'languages.yaml',
  ),
);
const review = (content: string) => evaluateMessage(content, {}, policy);

describe('lexicons in more languages', () => {
  it('matches entries of each enabled language, whole-word in spaced scripts', () => {
    expect(review('eres un cabrón')).toMatchObject({ verdict: 'mask', content: 'eres un ******' });
    expect(review('quel bordel ici')).toMatchObject({ verdict: 'mask', content: 'quel ****** ici' });
    expect(review('du arschloch')).toMatchObject({ verdict: 'mask', content: 'du *********' });
    // Whole-word: "bite" (fr) inside the English "biteback" and "arsch" inside "Marschall" stay clean.
    expect(review('biteback and Marschall')).toMatchObject({ verdict: 'allow', matches: [] });
  });

  it('matches inside a run of Chinese or Japanese text, masking only the term', () => {
    expect(review('你这个下三烂真的')).toMatchObject({
      verdict: 'mask',
      content: '你这个***真的',
      matches: [{ term: '下三烂', start: 3, end: 6 }],
    });
    expect(review('これはおっぱいです')).toMatchObject({ verdict: 'mask', content: 'これは****です' });
  });

  it('leaves clean Chinese, Japanese and Korean chat alone', () => {
    for (const content of [
      '今天天气很好，我们去公园吧',
      'こんにちは、元気ですか',
      '안녕하세요 반갑습니다',
      '谢谢大家的支持！',
    ]) {
      expect(review(content), content).toMatchObject({ verdict: 'allow', matches: [] });
    }
  });

  it('drops word edges only on the side written in an unspaced script', () => {
    const matcher = new TermMatcher(
      ['下三烂', 'sm女王', 'cabrón'].map((source) => ({ source, tag: source })),
    );
    const found = (text: string) => {
      const normalized = normalize(text);
      return matcher
        .findAll(normalized)
        .map((hit) => `${hit.tag}=${normalized.text.slice(hit.start, hit.end)}`);
    };
    expect(found('你这个下三烂真的')).toEqual(['下三烂=下三烂']);
    // The Latin edge of "sm女王" still needs a word boundary; its Han edge does not.
    expect(found('これはsm女王です')).toEqual([]);
    expect(found('これは sm女王です')).toEqual(['sm女王=sm女王']);
    expect(found('eres un cabrónazo')).toEqual([]);
  });
});
