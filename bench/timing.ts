/**
 * Per-call timing of several engines over one corpus, interleaved round by
 * round so that noise from a shared machine (other processes, thermal and
 * frequency changes) lands on every engine alike and same-run ratios stay fair.
 */

export interface Engine<Input> {
  readonly name: string;
  /** Checks one message; true when the engine flags it. */
  readonly check: (input: Input) => boolean;
}

export interface EngineResult {
  readonly name: string;
  /** From passes timed whole (one clock read before and after): the per-call timer is not in it. */
  readonly messagesPerSecond: number;
  readonly p50Micros: number;
  readonly p99Micros: number;
  /** Throughput of each round's whole-timed pass. */
  readonly roundMessagesPerSecond: readonly number[];
  /** Flags per corpus message, from the first timed round (every round gives the same answers). */
  readonly flagged: readonly boolean[];
}

export interface TimingOptions {
  readonly warmupPasses: number;
  readonly rounds: number;
}

/** A clock in nanoseconds; process.hrtime.bigint() unless a test gives its own. */
export type Clock = () => bigint;

/**
 * Each round, each engine in turn makes two passes over `inputs`: one with every call timed, for the
 * percentiles, and one timed whole, for the throughput. A fast engine's call costs about as much as the two
 * clock reads around it (50–80 ns against 1–2 µs here), so throughput summed from per-call samples would
 * understate it by that much and a slow engine's by nothing.
 */
export function timeEngines<Input>(
  engines: readonly Engine<Input>[],
  inputs: readonly Input[],
  options: TimingOptions,
  clock: Clock = process.hrtime.bigint,
): EngineResult[] {
  // Warm-up lets each engine reach optimized code and fill its caches before any sample counts.
  for (const engine of engines) {
    for (let pass = 0; pass < options.warmupPasses; pass++) for (const input of inputs) engine.check(input);
  }

  // Preallocated so recording a sample never allocates (and never triggers GC) inside the timed region.
  const samples = engines.map(() => new Float64Array(options.rounds * inputs.length));
  const passNanos = engines.map(() => new Float64Array(options.rounds));
  const flagged = engines.map(() => new Array<boolean>(inputs.length).fill(false));
  for (let round = 0; round < options.rounds; round++) {
    engines.forEach((engine, e) => {
      const times = samples[e];
      const flags = flagged[e];
      if (times === undefined || flags === undefined) return;
      const offset = round * inputs.length;
      inputs.forEach((input, i) => {
        const start = clock();
        const hit = engine.check(input);
        const end = clock();
        times[offset + i] = Number(end - start);
        if (round === 0) flags[i] = hit;
      });
      const passes = passNanos[e];
      if (passes === undefined) return;
      const start = clock();
      for (const input of inputs) engine.check(input);
      passes[round] = Number(clock() - start);
    });
  }

  return engines.map((engine, e) => {
    const times = samples[e] ?? new Float64Array();
    const passes = passNanos[e] ?? new Float64Array();
    const totalNanos = passes.reduce((sum, t) => sum + t, 0);
    const sorted = times.slice().sort();
    const roundMessagesPerSecond = Array.from(passes, (nanos) => inputs.length / (nanos / 1e9));
    return {
      name: engine.name,
      messagesPerSecond: (passes.length * inputs.length) / (totalNanos / 1e9),
      p50Micros: percentile(sorted, 0.5) / 1e3,
      p99Micros: percentile(sorted, 0.99) / 1e3,
      roundMessagesPerSecond,
      flagged: flagged[e] ?? [],
    };
  });
}

export interface PairedThroughput {
  /** The fast engine's throughput ÷ the slow one's, per round. */
  readonly roundRatios: readonly number[];
  readonly fastMessagesPerSecond: number;
  readonly slowMessagesPerSecond: number;
  /** Calls made: the fast engine makes many more in the same time. */
  readonly fastCalls: number;
  readonly slowCalls: number;
}

export interface PairingOptions {
  readonly rounds: number;
  /** Messages of the slow engine timed at a stretch (each round is one pass over the inputs). */
  readonly slowChunk: number;
  /** Calls of the fast engine between clock reads. */
  readonly fastBatch: number;
}

/**
 * Throughput of a fast engine against a slow one, given equal shares of the same minutes. Each round, the
 * slow engine makes one pass over `inputs` in chunks of `slowChunk` messages, and after each chunk the fast
 * engine runs for as long as that chunk took, carrying on through `inputs` where it left off (wrapping
 * around). A noisy neighbour who slows the machine for a while then slows both alike, which two passes one
 * after the other cannot promise when one engine's pass takes a fiftieth of the other's: on a shared
 * 2-core machine those round ratios spread from 29× to 53× within a run, these from 45× to 48×. Both are
 * timed by the chunk, not by the call.
 */
export function compareThroughput<Input>(
  fast: Engine<Input>,
  slow: Engine<Input>,
  inputs: readonly Input[],
  options: PairingOptions,
  clock: Clock = process.hrtime.bigint,
): PairedThroughput {
  const roundRatios: number[] = [];
  let next = 0;
  let fastNanos = 0;
  let slowNanos = 0;
  let fastCalls = 0;
  let slowCalls = 0;
  for (let round = 0; round < options.rounds; round++) {
    let roundFastNanos = 0;
    let roundSlowNanos = 0;
    let roundFastCalls = 0;
    for (let chunk = 0; chunk < inputs.length; chunk += options.slowChunk) {
      const slowInputs = inputs.slice(chunk, chunk + options.slowChunk);
      const slowStart = clock();
      for (const input of slowInputs) slow.check(input);
      const slowTook = clock() - slowStart;
      roundSlowNanos += Number(slowTook);
      const fastStart = clock();
      let fastTook = 0n;
      while (fastTook < slowTook) {
        for (let call = 0; call < options.fastBatch; call++) {
          const input = inputs[next];
          if (input !== undefined) fast.check(input);
          next = next + 1 === inputs.length ? 0 : next + 1;
        }
        roundFastCalls += options.fastBatch;
        fastTook = clock() - fastStart;
      }
      roundFastNanos += Number(fastTook);
    }
    roundRatios.push(roundFastCalls / roundFastNanos / (inputs.length / roundSlowNanos));
    fastNanos += roundFastNanos;
    slowNanos += roundSlowNanos;
    fastCalls += roundFastCalls;
    slowCalls += inputs.length;
  }
  return {
    roundRatios,
    fastMessagesPerSecond: fastCalls / (fastNanos / 1e9),
    slowMessagesPerSecond: slowCalls / (slowNanos / 1e9),
    fastCalls,
    slowCalls,
  };
}

/**
 * Cost of the timer itself around an empty call, in ns: it is included in every
 * per-call sample, so it is reported next to the results rather than hidden.
 */
export function timerOverheadNanos(iterations = 100_000): number {
  const times = new Float64Array(iterations);
  const noop = (): boolean => false;
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    noop();
    times[i] = Number(process.hrtime.bigint() - start);
  }
  return percentile(times.sort(), 0.5);
}

/** Nearest-rank percentile of ascending `sorted` values. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}
