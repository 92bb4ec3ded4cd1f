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
  readonly messagesPerSecond: number;
  readonly p50Micros: number;
  readonly p99Micros: number;
  /** Throughput of each round alone: rounds of different engines that ran side by side compare fairly. */
  readonly roundMessagesPerSecond: readonly number[];
  /** Flags per corpus message, from the first timed round (every round gives the same answers). */
  readonly flagged: readonly boolean[];
}

export interface TimingOptions {
  readonly warmupPasses: number;
  readonly rounds: number;
}

export function timeEngines<Input>(
  engines: readonly Engine<Input>[],
  inputs: readonly Input[],
  options: TimingOptions,
): EngineResult[] {
  // Warm-up lets each engine reach optimized code and fill its caches before any sample counts.
  for (const engine of engines) {
    for (let pass = 0; pass < options.warmupPasses; pass++) for (const input of inputs) engine.check(input);
  }

  // Preallocated so recording a sample never allocates (and never triggers GC) inside the timed region.
  const samples = engines.map(() => new Float64Array(options.rounds * inputs.length));
  const flagged = engines.map(() => new Array<boolean>(inputs.length).fill(false));
  for (let round = 0; round < options.rounds; round++) {
    engines.forEach((engine, e) => {
      const times = samples[e];
      const flags = flagged[e];
      if (times === undefined || flags === undefined) return;
      const offset = round * inputs.length;
      inputs.forEach((input, i) => {
        const start = process.hrtime.bigint();
        const hit = engine.check(input);
        const end = process.hrtime.bigint();
        times[offset + i] = Number(end - start);
        if (round === 0) flags[i] = hit;
      });
    });
  }

  return engines.map((engine, e) => {
    const times = samples[e] ?? new Float64Array();
    const totalNanos = times.reduce((sum, t) => sum + t, 0);
    const sorted = times.slice().sort();
    const roundMessagesPerSecond = Array.from({ length: options.rounds }, (_, round) => {
      const roundTimes = times.subarray(round * inputs.length, (round + 1) * inputs.length);
      return roundTimes.length / (roundTimes.reduce((sum, t) => sum + t, 0) / 1e9);
    });
    return {
      name: engine.name,
      messagesPerSecond: times.length / (totalNanos / 1e9),
      p50Micros: percentile(sorted, 0.5) / 1e3,
      p99Micros: percentile(sorted, 0.99) / 1e3,
      roundMessagesPerSecond,
      flagged: flagged[e] ?? [],
    };
  });
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
