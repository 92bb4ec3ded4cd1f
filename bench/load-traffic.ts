import type { EvalCase } from './eval-corpus.js';

/**
 * The load test's traffic: who sends, how often and what. Pure, so the same plan comes from the same seed in
 * the client process and in tests.
 *
 * The room's `maximumMessageRatePerSecond` is one budget for the whole room (contracts §5), so the clients share
 * it: a send slot every 1/rate seconds, dealt to users by stride scheduling in proportion to their rates.
 * Chatters send at an even rate below the flood limit; flooders at `floodFactor` times that, which the chat log
 * consumer's flood rule catches. Each user reads the evaluation corpus (clean chat, profanity plain and
 * evaded) in its own seeded order, so no user repeats a line before it has sent them all.
 */

export interface TrafficOptions {
  readonly clients: number;
  readonly flooders: number;
  /** The room's maximum: the rate all clients together send at. */
  readonly ratePerSecond: number;
  readonly durationSeconds: number;
  /** How many times a chatter's rate a flooder sends at. */
  readonly floodFactor: number;
  readonly seed: number;
}

export interface LoadUser {
  readonly userId: string;
  readonly role: 'chatter' | 'flooder';
  readonly ratePerSecond: number;
}

export interface Traffic {
  readonly users: readonly LoadUser[];
  readonly chatterRatePerSecond: number;
  readonly flooderRatePerSecond: number;
  /** The user (index into users) of each send slot; slot k is due k × intervalMs after the start. */
  readonly slots: readonly number[];
  readonly intervalMs: number;
}

export function planTraffic(options: TrafficOptions): Traffic {
  const { clients, flooders, ratePerSecond, durationSeconds, floodFactor } = options;
  if (!Number.isInteger(clients) || clients < 1) throw new RangeError('clients must be a whole number ≥ 1');
  if (!Number.isInteger(flooders) || flooders < 0 || flooders > clients)
    throw new RangeError('flooders must be a whole number from 0 to the number of clients');
  if (!(ratePerSecond > 0) || !(durationSeconds > 0) || !(floodFactor >= 1))
    throw new RangeError('rate and duration must be positive and floodFactor at least 1');
  const chatterRate = ratePerSecond / (clients - flooders + flooders * floodFactor);
  // Flooders spread evenly among the users rather than bunched at the start.
  const isFlooder = (index: number) =>
    flooders > 0 && Math.floor(((index + 1) * flooders) / clients) > Math.floor((index * flooders) / clients);
  const width = String(clients).length;
  const users = Array.from({ length: clients }, (_, index): LoadUser => {
    const role = isFlooder(index) ? 'flooder' : 'chatter';
    return {
      userId: `${role}-${String(index).padStart(width, '0')}`,
      role,
      ratePerSecond: role === 'flooder' ? chatterRate * floodFactor : chatterRate,
    };
  });
  // Stride scheduling: each slot goes to the user whose next send is due first; phases start staggered.
  const pass = users.map((user, index) => index / clients / user.ratePerSecond);
  const slots = Array.from({ length: Math.round(ratePerSecond * durationSeconds) }, () => {
    let next = 0;
    for (let index = 1; index < users.length; index++)
      if ((pass[index] ?? Number.POSITIVE_INFINITY) < (pass[next] ?? Number.POSITIVE_INFINITY)) next = index;
    pass[next] = (pass[next] ?? 0) + 1 / (users[next]?.ratePerSecond ?? 1);
    return next;
  });
  return {
    users,
    chatterRatePerSecond: chatterRate,
    flooderRatePerSecond: chatterRate * floodFactor,
    slots,
    intervalMs: 1_000 / ratePerSecond,
  };
}

/**
 * The flood rule's `maxMessages` for a window: half as much again as a chatter sends in it, so chatters are
 * never a flood and a flooder at twice that or more always is.
 */
export function floodLimitFor(chatterRatePerSecond: number, windowSeconds: number): number {
  return Math.ceil(1.5 * chatterRatePerSecond * windowSeconds);
}

/** Each user's lines: the corpus in an order of its own (seeded), one after another, wrapping around. */
export function userLines(
  corpus: readonly EvalCase[],
  users: number,
  random: () => number,
): (user: number) => EvalCase {
  if (corpus.length === 0) throw new Error('the corpus is empty');
  const orders = Array.from({ length: users }, () => shuffled(corpus, random));
  const next = new Array<number>(users).fill(0);
  return (user) => {
    const order = orders[user];
    if (order === undefined) throw new RangeError(`no user ${user}`);
    const at = next[user] ?? 0;
    next[user] = (at + 1) % order.length;
    const line = order[at];
    if (line === undefined) throw new Error(`no corpus line ${at}`);
    return line;
  };
}

/** Fisher–Yates. */
function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    const item = copy[index];
    const swap = copy[other];
    if (item === undefined || swap === undefined) continue;
    copy[index] = swap;
    copy[other] = item;
  }
  return copy;
}
