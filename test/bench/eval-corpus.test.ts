import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { report } from '../../bench/eval.js';
import { generateEvalCorpus, serializeEvalCorpus } from '../../bench/eval-corpus.js';
import { EVAL_CORPUS_FILE, readEvalCorpus, scoreCorpus } from '../../bench/scoring.js';

describe('evaluation corpus', () => {
  it('is committed exactly as bench/eval-corpus.ts generates it (run `npm run eval:generate` after a change)', () => {
    expect(readFileSync(EVAL_CORPUS_FILE, 'utf8')).toBe(serializeEvalCorpus(generateEvalCorpus()));
  });

  it('has positives in every evasion class and negatives in every clean class', () => {
    const classes = new Map<string, Set<string>>();
    for (const entry of readEvalCorpus()) {
      const kinds = classes.get(entry.class) ?? new Set();
      kinds.add(entry.expected);
      classes.set(entry.class, kinds);
    }
    expect([...classes.keys()]).toEqual(
      expect.arrayContaining([
        'leetspeak',
        'lookalike',
        'stretched',
        'separated',
        'zalgo',
        'scunthorpe',
        'cjk',
      ]),
    );
    for (const kinds of classes.values()) expect(kinds.size).toBe(1);
  });
});

describe('scoring', () => {
  it('counts recall, false positives and misses per class', () => {
    const scores = scoreCorpus(
      [
        { text: 'bad', expected: 'flag', class: 'plain' },
        { text: 'b a d', expected: 'flag', class: 'plain' },
        { text: 'fine', expected: 'clean', class: 'chat' },
        { text: 'badminton', expected: 'clean', class: 'chat' },
      ],
      (text) => text.startsWith('bad'),
    );
    expect(scores).toEqual([
      { class: 'plain', expected: 'flag', total: 2, flagged: 1, misses: ['b a d'] },
      { class: 'chat', expected: 'clean', total: 2, flagged: 1, misses: ['badminton'] },
    ]);
    expect(report(scores)).toContain(
      'Overall: recall 50.0%, false-positive rate 50.0%, precision 50.0%, F1 0.500',
    );
  });
});
