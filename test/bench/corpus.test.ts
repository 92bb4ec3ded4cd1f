import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateCorpus } from '../../bench/corpus.js';

describe('generateCorpus', () => {
  it('with exactLength, makes every message exactly its target length in UTF-16 units', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 30, max: 600 }),
        (seed, length) => {
          const corpus = generateCorpus({
            count: 40,
            seed,
            minLength: length,
            maxLength: length,
            profaneShare: 0.3,
            exactLength: true,
          });
          for (const message of corpus) expect(message.text.length).toBe(length);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('still carries profane words, plain and evaded, at exact lengths', () => {
    const corpus = generateCorpus({
      count: 500,
      seed: 7,
      minLength: 500,
      maxLength: 500,
      profaneShare: 0.1,
      exactLength: true,
    });
    const kinds = new Set(corpus.map((message) => message.kind));
    expect(kinds).toEqual(new Set(['clean', 'plain', 'evaded']));
  });

  it('generates the same corpus as before when exactLength is off', () => {
    const options = { count: 200, seed: 0x1f2e3d4c, minLength: 10, maxLength: 200, profaneShare: 0.1 };
    expect(generateCorpus({ ...options, exactLength: false })).toEqual(generateCorpus(options));
    for (const message of generateCorpus(options)) {
      expect(message.text.length).toBeGreaterThanOrEqual(options.minLength);
      expect(message.text.length).toBeLessThanOrEqual(options.maxLength);
    }
  });
});
