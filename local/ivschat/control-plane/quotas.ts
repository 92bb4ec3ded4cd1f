/**
 * IVS Chat's per-operation API rate quotas (IVS Chat contracts §5: per account and Region,
 * not adjustable), enforced with one token bucket per operation so pacing code meets real 429s locally.
 */

const ROOM_TPS = 5;
const LOGGING_CONFIGURATION_TPS = 3;
const TAG_TPS = 10;
const MODERATION_TPS = 100;

export const OPERATION_TPS = {
  CreateChatToken: 200,
  CreateRoom: ROOM_TPS,
  GetRoom: ROOM_TPS,
  UpdateRoom: ROOM_TPS,
  DeleteRoom: ROOM_TPS,
  ListRooms: ROOM_TPS,
  CreateLoggingConfiguration: LOGGING_CONFIGURATION_TPS,
  GetLoggingConfiguration: LOGGING_CONFIGURATION_TPS,
  UpdateLoggingConfiguration: LOGGING_CONFIGURATION_TPS,
  DeleteLoggingConfiguration: LOGGING_CONFIGURATION_TPS,
  ListLoggingConfigurations: LOGGING_CONFIGURATION_TPS,
  DeleteMessage: MODERATION_TPS,
  DisconnectUser: MODERATION_TPS,
  SendEvent: MODERATION_TPS,
  TagResource: TAG_TPS,
  UntagResource: TAG_TPS,
  ListTagsForResource: TAG_TPS,
} as const;

export type OperationName = keyof typeof OPERATION_TPS;

interface Bucket {
  tokens: number;
  refilledAt: number;
}

/** Per-operation token buckets: each holds one second of its rate and refills continuously. */
export class RateQuotas {
  private readonly buckets = new Map<OperationName, Bucket>();

  constructor(private readonly nowMs: () => number) {}

  /** Takes one request's token; false when the operation is over its rate. */
  tryAcquire(operation: OperationName): boolean {
    const rate = OPERATION_TPS[operation];
    const now = this.nowMs();
    const bucket = this.buckets.get(operation) ?? { tokens: rate, refilledAt: now };
    const elapsedSeconds = Math.max(0, now - bucket.refilledAt) / 1000;
    bucket.tokens = Math.min(rate, bucket.tokens + elapsedSeconds * rate);
    bucket.refilledAt = now;
    this.buckets.set(operation, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
