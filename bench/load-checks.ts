import type { ReviewRecord } from '../local/ivschat/chat-state.js';
import type { LoggedRecord } from '../shared/chat-logs/chat-log-record.js';
import { deletedMessageId } from '../shared/chat-logs/chat-log-record.js';
import type { SentMessage } from './load-client-messages.js';
import { percentile } from './timing.js';

/**
 * The load test's verdict, message by message and action by action, from what each party observed: the clients
 * (what each SendMessage got back), the emulator (each review call, each DeleteMessage, SendEvent and
 * DisconnectUser), the chat log group (the records IVS wrote), the chat log consumer (the batches it was given and
 * the plan it logged for each) and the enforcement table (sanctions). Pure: tests feed it fabricated
 * observations to show each check fails when it should.
 */

/** One invocation of the chat log consumer with a batch of the room's records. */
export interface ConsumerDelivery {
  /** The Lambda request id, which the consumer's log lines carry as `function_request_id`. */
  readonly invocationId: string;
  /** The batch: a redelivery has its first delivery's number. */
  readonly batch: number;
  readonly redelivery: boolean;
  readonly arrivedAtMs: number;
  readonly recordIds: readonly string[];
  /** When each MESSAGE record of the batch was sent (its SendTime), for the log lag. */
  readonly messageSentAtMs: readonly number[];
}

/** What one consumer invocation logged as its plan (`chat logs moderated`). */
export interface ConsumerPlan {
  readonly invocationId: string;
  /** Plans made again because another invocation saved the same users first (contention). */
  readonly replans: number;
  readonly actions: readonly { readonly kind: string; readonly key: string }[];
  readonly failed: readonly { readonly key: string; readonly error: string }[];
}

/** A moderation call the emulator's control plane served for the room. */
export type EmulatorCall =
  | { readonly operation: 'DeleteMessage'; readonly messageId: string }
  | { readonly operation: 'SendEvent'; readonly eventName: string; readonly userId: string | undefined }
  | { readonly operation: 'DisconnectUser'; readonly userId: string };

export interface LoadObservations {
  readonly sent: readonly SentMessage[];
  readonly reviews: readonly ReviewRecord[];
  /** The room's records in the chat log group, in order. */
  readonly logged: readonly LoggedRecord[];
  readonly deliveries: readonly ConsumerDelivery[];
  readonly plans: readonly ConsumerPlan[];
  readonly calls: readonly EmulatorCall[];
  /** Users the enforcement table holds a sanction for at the end. */
  readonly sanctionedUsers: ReadonlySet<string>;
  /** The policy's warning event (SendEvent name of `warn` actions). */
  readonly warningEventName: string;
  /** Failures reported along the way: chat log deliveries, the clients, the functions' ERROR lines. */
  readonly errors: readonly string[];
}

export interface CheckResult {
  readonly name: string;
  /** How many items the check looked at. */
  readonly checked: number;
  /** Empty when the check passed. */
  readonly failures: readonly string[];
}

export const passed = (check: CheckResult): boolean => check.failures.length === 0;

function countBy<T>(items: Iterable<T>, keyOf: (item: T) => string | undefined): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) {
    const key = keyOf(item);
    if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

function groupBy<T>(items: Iterable<T>, keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [item]);
    else group.push(item);
  }
  return groups;
}

/** Whether the request reached the room: a skipped slot was never sent, a throttled one was refused before review. */
const reachedReview = (message: SentMessage) =>
  message.outcome !== 'skipped' && message.outcome !== 'throttled';

function reviewedOnce(observations: LoadObservations): CheckResult {
  const reviews = groupBy(observations.reviews, (review) => review.requestId);
  const failures: string[] = [];
  const requests = new Set<string>();
  for (const message of observations.sent) {
    requests.add(message.requestId);
    const count = reviews.get(message.requestId)?.length ?? 0;
    const expected = reachedReview(message) ? 1 : 0;
    // A request outstanding when its connection closed may never have left the client.
    const lostInClose =
      message.outcome === 'unanswered' && message.closedWhilePending === true && count === 0;
    if (count !== expected && !lostInClose)
      failures.push(
        `request ${message.requestId} (${message.outcome}) reviewed ${count} times, expected ${expected}`,
      );
    if (message.outcome === 'unanswered' && message.closedWhilePending !== true)
      failures.push(`request ${message.requestId} got no answer on an open connection`);
  }
  for (const requestId of reviews.keys())
    if (!requests.has(requestId)) failures.push(`review of request ${requestId}, which no client sent`);
  return {
    name: 'every SendMessage the room accepted was reviewed exactly once',
    checked: observations.sent.filter(reachedReview).length,
    failures,
  };
}

function verdictsAgree(observations: LoadObservations): CheckResult {
  const reviews = new Map(observations.reviews.map((review) => [review.requestId, review]));
  const failures: string[] = [];
  let checked = 0;
  for (const message of observations.sent) {
    const review = reviews.get(message.requestId);
    if (review === undefined || (message.outcome !== 'delivered' && message.outcome !== 'denied')) continue;
    checked++;
    if (
      message.outcome === 'delivered' &&
      (review.result !== 'ALLOW' || review.messageId !== message.messageId)
    )
      failures.push(
        `request ${message.requestId}: delivered as ${message.messageId}, review said ${review.result} for ${review.messageId}`,
      );
    if (message.outcome === 'denied' && review.result !== 'DENY')
      failures.push(`request ${message.requestId}: refused with 406, review said ${review.result}`);
  }
  return { name: 'what each sender got matches the verdict', checked, failures };
}

function deliveredLoggedOnce(observations: LoadObservations): CheckResult {
  const allowed = observations.reviews.filter((review) => review.result === 'ALLOW');
  const messages = observations.logged.filter((record) => record.type === 'MESSAGE');
  const logged = countBy(messages, (record) => record.id);
  const failures: string[] = [];
  for (const { messageId } of allowed) {
    const count = logged.get(messageId) ?? 0;
    if (count === 0) failures.push(`message ${messageId} was delivered but is missing from the chat logs`);
    else if (count > 1) failures.push(`message ${messageId} is in the chat logs ${count} times`);
  }
  const allowedIds = new Set(allowed.map((review) => review.messageId));
  for (const id of logged.keys())
    if (!allowedIds.has(id)) failures.push(`message ${id} is in the chat logs but was never delivered`);
  const contents = new Map(messages.map((record) => [record.id, record.content]));
  for (const message of observations.sent) {
    if (message.messageId === undefined || message.content === undefined) continue;
    const content = contents.get(message.messageId);
    if (content !== undefined && content !== message.content)
      failures.push(`message ${message.messageId}: the chat logs hold other content than was delivered`);
  }
  return {
    name: 'every delivered message is in the chat logs exactly once, and nothing else is',
    checked: allowed.length,
    failures,
  };
}

function consumerGotEveryRecord(observations: LoadObservations): CheckResult {
  const originals = observations.deliveries.filter((delivery) => !delivery.redelivery);
  const received = countBy(
    originals.flatMap((delivery) => delivery.recordIds),
    (id) => id,
  );
  const failures: string[] = [];
  const loggedIds = new Set(observations.logged.map((record) => record.id));
  for (const id of loggedIds) {
    const count = received.get(id) ?? 0;
    if (count !== 1) failures.push(`record ${id} reached the consumer ${count} times (first deliveries)`);
  }
  for (const id of received.keys())
    if (!loggedIds.has(id)) failures.push(`the consumer got record ${id}, which is not in the chat logs`);
  const batches = new Map(originals.map((delivery) => [delivery.batch, delivery.recordIds.join(' ')]));
  for (const delivery of observations.deliveries)
    if (delivery.redelivery && batches.get(delivery.batch) !== delivery.recordIds.join(' '))
      failures.push(`redelivery ${delivery.invocationId} is not a copy of batch ${delivery.batch}`);
  return {
    name: 'the consumer got every chat log record once (redeliveries aside)',
    checked: loggedIds.size,
    failures,
  };
}

function redeliveryPlansNothingNew(observations: LoadObservations): CheckResult {
  const plans = groupBy(observations.plans, (plan) => plan.invocationId);
  const failures: string[] = [];
  for (const delivery of observations.deliveries) {
    const count = plans.get(delivery.invocationId)?.length ?? 0;
    if (count !== 1) failures.push(`consumer invocation ${delivery.invocationId} logged ${count} plans`);
  }
  const keysOf = (invocations: readonly ConsumerDelivery[]) =>
    new Set(
      invocations.flatMap((delivery) =>
        (plans.get(delivery.invocationId) ?? []).flatMap((plan) => plan.actions.map((action) => action.key)),
      ),
    );
  const byBatch = groupBy(observations.deliveries, (delivery) => String(delivery.batch));
  const redeliveries = observations.deliveries.filter((delivery) => delivery.redelivery);
  for (const redelivery of redeliveries) {
    const first = keysOf(
      (byBatch.get(String(redelivery.batch)) ?? []).filter((delivery) => !delivery.redelivery),
    );
    for (const key of keysOf([redelivery]))
      if (!first.has(key))
        failures.push(
          `redelivery of batch ${redelivery.batch} planned ${key}, which its first delivery did not`,
        );
  }
  return {
    name: 'each consumer invocation logged its plan; a redelivered batch planned nothing new',
    checked: observations.deliveries.length,
    failures,
  };
}

/** `warn:<user>:<message>` → user (user ids here hold no colon; message ids never do). */
function userOfKey(key: string): string {
  return key.slice(key.indexOf(':') + 1, key.lastIndexOf(':'));
}

function actionsExecutedOnce(observations: LoadObservations): CheckResult {
  const planned = new Map(
    observations.plans.flatMap((plan) => plan.actions.map((action) => [action.key, action.kind] as const)),
  );
  const failures: string[] = [];
  const deletes = countBy(observations.calls, (call) =>
    call.operation === 'DeleteMessage' ? call.messageId : undefined,
  );
  const warnings = countBy(observations.calls, (call) =>
    call.operation === 'SendEvent' && call.eventName === observations.warningEventName
      ? call.userId
      : undefined,
  );
  const disconnects = countBy(observations.calls, (call) =>
    call.operation === 'DisconnectUser' ? call.userId : undefined,
  );
  const plannedWarnings = new Map<string, number>();
  const plannedDisconnects = new Map<string, number>();
  const plannedDeletes = new Set<string>();
  for (const [key, kind] of planned) {
    if (kind === 'delete-message') {
      const messageId = key.slice('delete:'.length);
      plannedDeletes.add(messageId);
      const count = deletes.get(messageId) ?? 0;
      if (count !== 1) failures.push(`${key}: DeleteMessage called ${count} times`);
    } else if (kind === 'warn') {
      plannedWarnings.set(userOfKey(key), (plannedWarnings.get(userOfKey(key)) ?? 0) + 1);
    } else if (kind === 'disconnect') {
      plannedDisconnects.set(userOfKey(key), (plannedDisconnects.get(userOfKey(key)) ?? 0) + 1);
    } else if (kind === 'sanction') {
      if (!observations.sanctionedUsers.has(userOfKey(key)))
        failures.push(`${key}: no sanction stored for ${userOfKey(key)}`);
    } else {
      failures.push(`${key}: a ${kind} action, which the chat log consumer does not plan`);
    }
  }
  for (const messageId of deletes.keys())
    if (!plannedDeletes.has(messageId))
      failures.push(`DeleteMessage ${messageId} was called but never planned`);
  const compare = (what: string, plannedCounts: Map<string, number>, calls: Map<string, number>) => {
    for (const user of new Set([...plannedCounts.keys(), ...calls.keys()])) {
      const expected = plannedCounts.get(user) ?? 0;
      const got = calls.get(user) ?? 0;
      if (got !== expected) failures.push(`${user}: ${expected} ${what} planned, ${got} called`);
    }
  };
  compare('warnings (SendEvent)', plannedWarnings, warnings);
  compare('disconnections (DisconnectUser)', plannedDisconnects, disconnects);
  for (const call of observations.calls)
    if (call.operation === 'SendEvent' && call.eventName !== observations.warningEventName)
      failures.push(`SendEvent ${call.eventName}, which no planned action sends`);
  return { name: 'every planned action was executed exactly once', checked: planned.size, failures };
}

function actionsLoggedOnce(observations: LoadObservations): CheckResult {
  const events = observations.logged.flatMap((record) => (record.type === 'EVENT' ? [record] : []));
  const callKey = (call: EmulatorCall) =>
    call.operation === 'DeleteMessage'
      ? `delete ${call.messageId}`
      : call.operation === 'SendEvent'
        ? `event ${call.eventName} ${call.userId ?? ''}`
        : `disconnect ${call.userId}`;
  const eventKey = (event: Extract<LoggedRecord, { type: 'EVENT' }>) => {
    const deleted = deletedMessageId(event);
    if (deleted !== undefined) return `delete ${deleted}`;
    if (event.eventName === 'aws:DISCONNECT_USER') return `disconnect ${event.attributes.UserId ?? ''}`;
    return `event ${event.eventName} ${event.attributes.userId ?? ''}`;
  };
  const calls = countBy(observations.calls, callKey);
  const logged = countBy(events, eventKey);
  const failures: string[] = [];
  for (const key of new Set([...calls.keys(), ...logged.keys()])) {
    const expected = calls.get(key) ?? 0;
    const got = logged.get(key) ?? 0;
    if (got !== expected) failures.push(`${key}: ${expected} calls, ${got} EVENT records in the chat logs`);
  }
  return {
    name: 'every executed action is in the chat logs exactly once',
    checked: observations.calls.length,
    failures,
  };
}

function noErrors(observations: LoadObservations): CheckResult {
  const failures = [
    ...observations.errors,
    ...observations.sent
      .filter((message) => message.outcome === 'error')
      .map(
        (message) =>
          `request ${message.requestId}: error ${message.errorCode ?? '?'} ${message.errorMessage ?? ''}`,
      ),
    ...observations.plans.flatMap((plan) =>
      plan.failed.map((failure) => `action ${failure.key} failed: ${failure.error}`),
    ),
  ];
  return { name: 'no errors (clients, chat log delivery, functions, actions)', checked: 1, failures };
}

export function checkLoad(observations: LoadObservations): CheckResult[] {
  return [
    reviewedOnce(observations),
    verdictsAgree(observations),
    deliveredLoggedOnce(observations),
    consumerGotEveryRecord(observations),
    redeliveryPlansNothingNew(observations),
    actionsExecutedOnce(observations),
    actionsLoggedOnce(observations),
    noErrors(observations),
  ];
}

export interface Distribution {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export function distribution(values: readonly number[]): Distribution {
  const sorted = Float64Array.from(values).sort();
  return {
    count: sorted.length,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    max: sorted.length === 0 ? Number.NaN : (sorted[sorted.length - 1] ?? Number.NaN),
  };
}

export interface ActionCounts {
  readonly kind: string;
  /** Distinct keys planned. */
  readonly planned: number;
  /** Emulator calls (sanctions: users with one stored). */
  readonly executed: number;
}

export interface LoadSummary {
  readonly slots: number;
  readonly skipped: number;
  /** Sent to the room (slots less skipped ones). */
  readonly sent: number;
  readonly throttled: number;
  readonly reviewed: number;
  readonly delivered: number;
  readonly masked: number;
  readonly denied: number;
  /** Denial messages, numbers blanked (`You are timed out until #:#:# UTC.`), most frequent first. */
  readonly deniedBy: readonly (readonly [string, number])[];
  readonly unanswered: number;
  readonly loggedMessages: number;
  readonly loggedEvents: number;
  readonly reviewMs: Distribution;
  /** Reviews that took the 200 ms or more IVS waits at most. */
  readonly atReviewLimit: number;
  /** Fallbacks applied, by cause. */
  readonly fallbacks: readonly (readonly [string, number])[];
  /** From a message's SendTime to its first delivery to the consumer. */
  readonly logLagMs: Distribution;
  readonly consumerInvocations: number;
  readonly redeliveries: number;
  /** Plans made again after losing a race with another invocation, and the invocations that made any. */
  readonly replans: { readonly plans: number; readonly invocations: number };
  readonly actions: readonly ActionCounts[];
}

const sortedCounts = (counts: Map<string, number>) => [...counts].sort((a, b) => b[1] - a[1]);

export function summarizeLoad(observations: LoadObservations, reviewLimitMs: number): LoadSummary {
  const { sent, reviews, logged, deliveries, plans, calls } = observations;
  const count = (outcome: SentMessage['outcome']) =>
    sent.filter((message) => message.outcome === outcome).length;
  const denied = sent.filter((message) => message.outcome === 'denied');
  const planned = new Map(
    plans.flatMap((plan) => plan.actions.map((action) => [action.key, action.kind] as const)),
  );
  const plannedOf = (kind: string) => [...planned.values()].filter((planKind) => planKind === kind).length;
  const sanctioned = new Set(
    [...planned].flatMap(([key, kind]) => (kind === 'sanction' ? [userOfKey(key)] : [])),
  );
  const callsOf = (operation: EmulatorCall['operation']) =>
    calls.filter((call) => call.operation === operation).length;
  return {
    slots: sent.length,
    skipped: count('skipped'),
    sent: sent.length - count('skipped'),
    throttled: count('throttled'),
    reviewed: reviews.length,
    delivered: count('delivered'),
    masked: sent.filter((message) => message.masked === true).length,
    denied: denied.length,
    deniedBy: sortedCounts(countBy(denied, (message) => (message.errorMessage ?? '').replace(/\d+/g, '#'))),
    unanswered: count('unanswered'),
    loggedMessages: logged.filter((record) => record.type === 'MESSAGE').length,
    loggedEvents: logged.filter((record) => record.type === 'EVENT').length,
    reviewMs: distribution(reviews.map((review) => review.durationMs)),
    atReviewLimit: reviews.filter((review) => review.durationMs >= reviewLimitMs).length,
    fallbacks: sortedCounts(countBy(reviews, (review) => review.fallbackCause)),
    logLagMs: distribution(
      deliveries
        .filter((delivery) => !delivery.redelivery)
        .flatMap((delivery) => delivery.messageSentAtMs.map((sentAt) => delivery.arrivedAtMs - sentAt)),
    ),
    consumerInvocations: deliveries.length,
    redeliveries: deliveries.filter((delivery) => delivery.redelivery).length,
    replans: {
      plans: plans.reduce((total, plan) => total + plan.replans, 0),
      invocations: plans.filter((plan) => plan.replans > 0).length,
    },
    actions: [
      { kind: 'delete-message', planned: plannedOf('delete-message'), executed: callsOf('DeleteMessage') },
      { kind: 'warn', planned: plannedOf('warn'), executed: callsOf('SendEvent') },
      // A sanction is a stored item per user (a later one replaces it): counted in users.
      {
        kind: 'sanction (users)',
        planned: sanctioned.size,
        executed: [...sanctioned].filter((user) => observations.sanctionedUsers.has(user)).length,
      },
      { kind: 'disconnect', planned: plannedOf('disconnect'), executed: callsOf('DisconnectUser') },
    ],
  };
}
