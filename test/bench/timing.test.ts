import { describe, expect, it } from 'vitest';
import type { Clock, Engine } from '../../bench/timing.js';
import { compareThroughput, timeEngines } from '../../bench/timing.js';

/**
 * A clock that moves only when told: each engine call advances it by the engine's cost (times the machine's
 * slowness of the moment), and each read by `readCost`, as a real timer's call costs time too.
 */
function simulatedMachine(readCost = 0) {
  let now = 0n;
  let slowness = 1n;
  const clock: Clock = () => {
    const read = now;
    now += BigInt(readCost);
    return read;
  };
  const engine = (name: string, nanosPerCall: number): Engine<number> => ({
    name,
    check: (input) => {
      now += BigInt(nanosPerCall) * slowness;
      return input % 2 === 0;
    },
  });
  const setSlowness = (factor: number) => {
    slowness = BigInt(factor);
  };
  return { clock, engine, setSlowness };
}

const INPUTS = Array.from({ length: 1_000 }, (_, index) => index);

describe('timeEngines', () => {
  it('takes throughput from passes timed whole, and percentiles from calls timed one by one', () => {
    const machine = simulatedMachine(80);
    const [result] = timeEngines(
      [machine.engine('fast', 1_000)],
      INPUTS,
      { warmupPasses: 1, rounds: 3 },
      machine.clock,
    );
    // 1,000 ns a call: the 80 ns of the clock read lands once in a whole pass, in every per-call sample.
    expect(result?.messagesPerSecond).toBeCloseTo(1e6 * (1_000_000 / 1_000_080), 0);
    expect(result?.p50Micros).toBeCloseTo(1.08, 6);
    expect(result?.p99Micros).toBeCloseTo(1.08, 6);
    expect(result?.roundMessagesPerSecond).toHaveLength(3);
    expect(result?.flagged.filter(Boolean)).toHaveLength(500);
  });
});

describe('compareThroughput', () => {
  it('gives each engine the same time and reports the ratio of their rates', () => {
    const machine = simulatedMachine();
    const paired = compareThroughput(
      machine.engine('fast', 2),
      machine.engine('slow', 100),
      INPUTS,
      { rounds: 3, slowChunk: 100, fastBatch: 7 },
      machine.clock,
    );
    expect(paired.roundRatios).toEqual([50, 50, 50]);
    expect(paired.slowCalls).toBe(3 * INPUTS.length);
    // Each slow chunk takes 10,000 ns, and the fast engine runs whole batches of 7 until it has had as long.
    expect(paired.fastCalls).toBe(3 * 10 * Math.ceil(10_000 / 2 / 7) * 7);
    expect(paired.fastMessagesPerSecond).toBeCloseTo(5e8, 0);
    expect(paired.slowMessagesPerSecond).toBeCloseTo(1e7, 0);
  });

  it('keeps the ratio when the machine slows down for a while, since both engines share the slow minutes', () => {
    const machine = simulatedMachine();
    const slow = machine.engine('slow', 100);
    let calls = 0;
    // The machine turns three times slower for three chunks of the ten in each round (and stays so while the
    // fast engine runs after them).
    const noisySlow: Engine<number> = {
      name: slow.name,
      check: (input) => {
        machine.setSlowness(calls % 1_000 >= 300 && calls % 1_000 < 600 ? 3 : 1);
        calls++;
        return slow.check(input);
      },
    };
    const paired = compareThroughput(
      machine.engine('fast', 2),
      noisySlow,
      INPUTS,
      { rounds: 2, slowChunk: 100, fastBatch: 10 },
      machine.clock,
    );
    for (const ratio of paired.roundRatios) expect(ratio).toBeCloseTo(50, 6);
  });

  it('carries the fast engine on through the inputs, wrapping around', () => {
    const machine = simulatedMachine();
    const seen = new Set<number>();
    const fast = machine.engine('fast', 1);
    compareThroughput(
      {
        name: 'fast',
        check: (input) => {
          seen.add(input);
          return fast.check(input);
        },
      },
      machine.engine('slow', 100),
      INPUTS,
      { rounds: 1, slowChunk: 1_000, fastBatch: 50 },
      machine.clock,
    );
    expect(seen.size).toBe(INPUTS.length);
  });
});
