import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { measureMessage } from '../../../shared/rules/message-metrics.js';

describe('measureMessage', () => {
  it('counts letters and capitals in any script', () => {
    expect(measureMessage('HELLO there')).toMatchObject({
      letters: 10,
      uppercase: 5,
      visible: 10,
      length: 11,
    });
    expect(measureMessage('ÉCOLE école ПРИВЕТ')).toMatchObject({ letters: 16, uppercase: 11 });
  });

  it('counts symbols apart from emoji and skin tones', () => {
    expect(measureMessage('!?$ 🔥👍🏽')).toMatchObject({ symbols: 3, emoji: 2 });
  });

  it('counts a ZWJ sequence, a flag, a keycap and a skin-toned emoji once each', () => {
    expect(measureMessage('👨‍👩‍👧 🇫🇷🇩🇪 1️⃣ 👍🏽').emoji).toBe(5);
  });

  it('counts mentions only where @ starts a word', () => {
    expect(measureMessage('@a hi @b_2, mail me@x.io or @ alone').mentions).toBe(2);
  });

  it('finds the longest run of one character, letters without case, white space excluded', () => {
    expect(measureMessage('aAaAa      b!!!').longestRun).toBe(5);
    expect(measureMessage('😂😂😂').longestRun).toBe(3);
  });

  it('never throws and keeps its counts consistent for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const metrics = measureMessage(text);
        expect(metrics.length).toBe([...text].length);
        expect(metrics.visible).toBeLessThanOrEqual(metrics.length);
        expect(metrics.uppercase).toBeLessThanOrEqual(metrics.letters);
        expect(metrics.letters + metrics.symbols).toBeLessThanOrEqual(metrics.visible);
        expect(metrics.longestRun).toBeLessThanOrEqual(metrics.visible);
      }),
      { numRuns: 300 },
    );
  });
});
