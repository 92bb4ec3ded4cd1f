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
  /** The Node.js that ran the consumer, `process.version`. */
  readonly node: string;
  readonly records: number;
  /** Batches run before timing: the JIT's tiers, not the consumer, set the first batches' rate. */
  readonly warmupBatches: number;
  readonly batches: number;
  /** Records per second of wall-clock time over the timed batches: on a shared machine, includes waits for a core. */
  readonly recordsPerSecond: number;
  /**
   * Records per second of the process's CPU time over the timed batches (user + system, every thread, so the
   * garbage collector's helper threads too): a rate per core that other processes on the machine do not move.
   */
  readonly recordsPerCpuSecond: number;
  /** The process's first batch, by CPU time: what a fresh execution environment's first invocation does. */
  readonly firstBatchPerCpuSecond: number;
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

export interface DecodeRuns {
  /** Untimed batches after the first: until the JIT has optimized the consumer. */
  readonly warmupBatches: number;
  /** Timed batches, enough to span several major garbage collections. */
  readonly batches: number;
}

/**
 * `moderateLogEvent` on one batch again and again (actions planned, not sent): the first batch's rate, then the
 * rate over `batches` batches after `warmupBatches` more. One rate over all the timed batches, not a median of
 * them: every few batches one pays a major garbage collection for the others, and a median would leave it out.
 */
export async function measureLogDecode(
  policy: CompiledPolicy,
  texts: readonly string[],
  count: number,
  runs: DecodeRuns,
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
  const firstCpu = process.cpuUsage();
  await moderateLogEvent(event, 'us-east-1', deps);
  const firstBatchPerCpuSecond = count / cpuSeconds(process.cpuUsage(firstCpu));
  for (let batch = 0; batch < runs.warmupBatches; batch++) await moderateLogEvent(event, 'us-east-1', deps);
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let batch = 0; batch < runs.batches; batch++) await moderateLogEvent(event, 'us-east-1', deps);
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const timed = count * runs.batches;
  return {
    node: process.version,
    records: count,
    warmupBatches: runs.warmupBatches,
    batches: runs.batches,
    recordsPerSecond: timed / elapsed,
    recordsPerCpuSecond: timed / cpuSeconds(process.cpuUsage(cpu)),
    firstBatchPerCpuSecond,
    actions,
  };
}

function cpuSeconds(used: NodeJS.CpuUsage): number {
  return (used.user + used.system) / 1e6;
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
