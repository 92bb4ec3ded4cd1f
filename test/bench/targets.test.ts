import { describe, expect, it } from 'vitest';
import type { ClassScore } from '../../bench/scoring.js';
import { summarize } from '../../bench/scoring.js';
import type { EngineQuality } from '../../bench/targets.js';
import { evalTargets, peerTargets, targetTable } from '../../bench/targets.js';

const positive = (name: string, flagged: number, total: number): ClassScore => ({
  class: name,
  expected: 'flag',
  total,
  flagged,
  misses: [],
});
const negative = (name: string, flagged: number, total: number): ClassScore => ({
  class: name,
  expected: 'clean',
  total,
  flagged,
  misses: [],
});

describe('summarize', () => {
  it('adds the classes up into recall, false-positive rate, precision and F1', () => {
    const summary = summarize([positive('a', 3, 4), positive('b', 1, 4), negative('c', 1, 10)]);
    expect(summary).toMatchObject({ truePositives: 4, positives: 8, falsePositives: 1, negatives: 10 });
    expect(summary.recall).toBe(0.5);
    expect(summary.falsePositiveRate).toBe(0.1);
    expect(summary.precision).toBe(0.8);
    expect(summary.f1).toBeCloseTo((2 * 0.8 * 0.5) / 1.3);
  });

  it('leaves undefined rates as NaN rather than dividing by zero', () => {
    const summary = summarize([positive('a', 0, 3)]);
    expect(summary.falsePositiveRate).toBeNaN();
    expect(summary.precision).toBeNaN();
  });
});

describe('evalTargets', () => {
  it('passes every target at exactly the thresholds', () => {
    // 49/50 is 98% overall and in the class; 1/200 is 0.5%; 1/100 is 1%.
    const results = evalTargets([
      positive('plain', 49, 50),
      negative('scunthorpe', 1, 100),
      negative('chat', 0, 100),
    ]);
    expect(results.map((result) => result.pass)).toEqual([true, true, true, true]);
  });

  it('names the worst evasion class and fails the per-class target below 95%', () => {
    const results = evalTargets([
      positive('plain', 200, 200),
      positive('stretched', 18, 20),
      positive('zalgo', 19, 20),
      negative('chat', 0, 10),
      negative('scunthorpe', 0, 10),
    ]);
    expect(results[0]).toMatchObject({ pass: true, measured: '98.8% (237/240)' });
    expect(results[1]).toMatchObject({ pass: false, measured: 'worst: stretched 90.0% (18/20)' });
  });

  it('says so when every evasion class is at the same rate', () => {
    const results = evalTargets([positive('a', 5, 5), positive('b', 7, 7), negative('scunthorpe', 0, 1)]);
    expect(results[1]).toMatchObject({ pass: true, measured: 'all 2 classes at 100.0%' });
  });

  it('fails false-positive targets just over the thresholds, and a missing Scunthorpe class', () => {
    const over = evalTargets([positive('a', 1, 1), negative('scunthorpe', 3, 299), negative('chat', 0, 300)]);
    expect(over[2]).toMatchObject({ pass: false, measured: '0.5% (3/599)' });
    expect(over[3]).toMatchObject({ pass: false });
    const missing = evalTargets([positive('a', 1, 1), negative('chat', 0, 10)]);
    expect(missing[3]).toMatchObject({ pass: false, measured: 'class missing' });
  });
});

describe('peerTargets', () => {
  const quality = (name: string, truePositives: number, falsePositives: number): EngineQuality => ({
    name,
    summary: summarize([positive('p', truePositives, 100), negative('n', falsePositives, 100)]),
  });

  it('compares against the closest peer on each side', () => {
    const [recall, falsePositives] = peerTargets(quality('ours', 99, 0), [
      quality('a', 90, 5),
      quality('b', 95, 1),
      quality('c', 40, 3),
    ]);
    expect(recall).toMatchObject({ pass: true, measured: '99.0% vs b 95.0%' });
    expect(falsePositives).toMatchObject({ pass: true, measured: '0.0% vs b 1.0%' });
  });

  it('counts a tie as not better, and says it was a tie', () => {
    const [recall, falsePositives] = peerTargets(quality('ours', 100, 0), [
      quality('a', 100, 4),
      quality('b', 60, 0),
    ]);
    expect(recall).toMatchObject({
      pass: false,
      measured: '100.0% vs a 100.0% (a tie: not strictly better)',
    });
    expect(falsePositives).toMatchObject({
      pass: false,
      measured: '0.0% vs b 0.0% (a tie: not strictly better)',
    });
  });

  it('fails when there is no peer to compare with', () => {
    expect(peerTargets(quality('ours', 100, 0), []).map((result) => result.pass)).toEqual([false, false]);
  });
});

describe('targetTable', () => {
  it('marks failures in bold', () => {
    const text = targetTable([
      { target: 'fast', measured: '1×', pass: true },
      { target: 'small', measured: '2 KB', pass: false },
    ]);
    expect(text).toMatch(/\| fast +\| +1× \| +PASS \|/);
    expect(text).toMatch(/\| small +\| +2 KB \| \*\*FAIL\*\* \|/);
  });
});
