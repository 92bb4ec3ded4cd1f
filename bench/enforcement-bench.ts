import { gzipSync } from 'node:zlib';
import { ChatState } from '../local/ivschat/chat-state.js';
import { startControlPlane } from '../local/ivschat/control-plane.js';
import type { EnforcementStore, StoredUserState } from '../shared/enforcement/enforcement-store.js';
import type { ActionResult, PacedOperation } from '../shared/enforcement/execute-actions.js';
import { executeActions } from '../shared/enforcement/execute-actions.js';
import { moderateLogEvent } from '../shared/enforcement/moderate-log-event.js';
import { Pacer, SYSTEM_CLOCK } from '../shared/enforcement/pacer.js';
import type { EnforcementAction } from '../shared/enforcement/plan-enforcement.js';
import { createIvsChatActions } from '../shared/ivs/ivs-chat-client.js';
import type { CompiledPolicy } from '../shared/rules/compile-policy.js';
import { seededRandom } from './corpus.js';

/**
 * The chat log consumers' throughput: decoding and evaluating one large
 * subscription batch (gzip, base64, parse, the post-delivery rules, the
 * re-check), and the action executor's sustained rate against the emulator
 * with IVS's quotas on.
 */

export interface DecodeResult {
  readonly records: number;
  /** Records per second of wall-clock time: on a shared machine, includes time the process waited for a core. */
  readonly recordsPerSecond: number;
  /**
   * Records per second of the process's CPU time (user + system, every thread, so the garbage collector's
   * helper threads too): a rate per core that other processes on the machine do not move.
   */
  readonly recordsPerCpuSecond: number;
  readonly actions: number;
}

/** A store that keeps nothing between runs: the cost measured is the consumer's, not DynamoDB's. */
const EMPTY_STORE: EnforcementStore = {
  loadUsers: async () => new Map<string, StoredUserState>(),
  saveUsers: async () => {},
  putSanction: async () => {},
  getSanction: async () => undefined,
  liftSanction: async () => {},
};

/** One room, `count` messages from 500 users over ten minutes; chat words, some profane, some floods. */
export function logBatch(count: number, texts: readonly string[]): unknown {
  const random = seededRandom(0x10c5);
  const start = Date.UTC(2026, 10, 27, 12, 0, 0);
  const logEvents = Array.from({ length: count }, (_, index) => {
    const at = new Date(start + Math.floor((index * 600_000) / count));
    const iso = at.toISOString();
    const record = {
      event_timestamp: iso,
      type: 'MESSAGE',
      version: '1.0',
      payload: {
        Type: 'MESSAGE',
        Id: `bench${String(index).padStart(7, '0')}`,
        RequestId: '',
        Attributes: {},
        Content: texts[Math.floor(random() * texts.length)] ?? '',
        SendTime: iso.replace('Z', '123456Z'),
        Sender: { UserId: `user-${Math.floor(random() * 500)}`, Attributes: {} },
      },
    };
    return { id: String(index), timestamp: at.getTime(), message: JSON.stringify(record) };
  });
  const body = {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: '/aws/vendedlogs/ivschat/bench',
    logStream: 'aws/IVSChatLogs/1.0/room_benchRoom0001',
    subscriptionFilters: ['bench'],
    logEvents,
  };
  return { awslogs: { data: gzipSync(Buffer.from(JSON.stringify(body))).toString('base64') } };
}

/**
 * Median records per second of `moderateLogEvent` on one batch over `runs` runs (actions planned, not sent), by
 * the wall clock and by the process's CPU time.
 */
export async function measureLogDecode(
  policy: CompiledPolicy,
  texts: readonly string[],
  count: number,
  runs: number,
): Promise<DecodeResult> {
  const event = logBatch(count, texts);
  let actions = 0;
  const deps = {
    policy,
    store: EMPTY_STORE,
    now: () => Date.UTC(2026, 10, 27, 12, 10, 0),
    execute: async (planned: readonly EnforcementAction[]): Promise<ActionResult[]> => {
      actions = planned.length;
      return [];
    },
  };
  await moderateLogEvent(event, 'us-east-1', deps);
  const rates: number[] = [];
  const cpuRates: number[] = [];
  for (let run = 0; run < runs; run++) {
    const cpu = process.cpuUsage();
    const started = process.hrtime.bigint();
    await moderateLogEvent(event, 'us-east-1', deps);
    const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
    const used = process.cpuUsage(cpu);
    rates.push(count / elapsed);
    cpuRates.push(count / ((used.user + used.system) / 1e6));
  }
  return { records: count, recordsPerSecond: median(rates), recordsPerCpuSecond: median(cpuRates), actions };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

export interface ExecutorResult {
  readonly actions: number;
  readonly done: number;
  /** Actions per second in the steady state: over the last 60% of completions, well after the initial burst. */
  readonly sustainedPerSecond: number;
  readonly throttled: number;
}

/**
 * DeleteMessage actions through the real executor and IVS adapter to the emulator's control plane with its
 * quotas on (100 per second), paced at the quota as one invocation with the whole budget would be.
 */
export async function measureExecutorRate(count: number): Promise<ExecutorResult> {
  const state = new ChatState();
  const server = await startControlPlane(state, { enforceQuotas: true });
  try {
    const roomArn = state.putRoom('benchRoom0001').arn;
    const completed: number[] = [];
    state.onRoomEvent(() => completed.push(performance.now()));
    const ivs = createIvsChatActions({
      region: 'us-east-1',
      endpoint: server.url,
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    });
    let throttled = 0;
    const done = new Set<string>();
    const results = await executeActions(
      Array.from({ length: count }, (_, index) => ({
        kind: 'delete-message' as const,
        key: `delete:${index}`,
        roomArn,
        userId: 'flooder',
        messageId: `benchMsg${String(index).padStart(4, '0')}`,
        reason: 'bench',
      })),
      {
        ports: {
          ...ivs,
          putSanction: async () => {},
          classify: (error) => {
            const kind = ivs.classify(error);
            if (kind === 'throttled') throttled++;
            return kind;
          },
        },
        once: async (key, work) => {
          if (done.has(key)) return { duplicate: true };
          await work();
          done.add(key);
          return { duplicate: false };
        },
        pacer: new Pacer<PacedOperation>(
          { DeleteMessage: 100, SendEvent: 100, DisconnectUser: 100 },
          SYSTEM_CLOCK,
        ),
        clock: SYSTEM_CLOCK,
        random: Math.random,
      },
    );
    // The first second's worth goes out as a burst; the rate after it is what the quota sustains.
    // The steady state: the last 60% of completions. The bucket starts full (a second's worth) and refills while
    // that burst is sent, so a window starting right after the burst also counts the refill as rate.
    const from = Math.floor(completed.length * 0.4);
    const first = completed[from] ?? 0;
    const last = completed[completed.length - 1] ?? first;
    const sustained = last > first ? ((completed.length - 1 - from) * 1000) / (last - first) : 0;
    return {
      actions: count,
      done: results.filter((result) => result.status === 'done').length,
      sustainedPerSecond: sustained,
      throttled,
    };
  } finally {
    await server.close();
  }
}
