import { describe, expect, it } from 'vitest';
import type { LoadObservations } from '../../bench/load-checks.js';
import { checkLoad, passed, summarizeLoad } from '../../bench/load-checks.js';
import type { SentMessage } from '../../bench/load-client-messages.js';
import type { ReviewRecord } from '../../local/ivschat/chat-state.js';
import type { LoggedRecord } from '../../shared/chat-logs/chat-log-record.js';
import { parseChatLogRecord } from '../../shared/chat-logs/chat-log-record.js';
import { eventRecord, messageRecord } from '../helpers/backtest-archive.js';

const ROOM = 'arn:aws:ivschat:us-east-1:123456789012:room/LoadTest0001';
const WARNING = 'app:moderation-warning';

function record(value: unknown): LoggedRecord {
  const parsed = parseChatLogRecord(value);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.record;
}

/** A MESSAGE record as IVS logs it (the sender does not matter to the checks). */
const message = (id: string, content: string) => record(messageRecord(id, content));

const event = (id: string, eventName: string, attributes: Record<string, string>) =>
  record(eventRecord(id, eventName, attributes));

const sent = (
  requestId: string,
  userId: string,
  outcome: SentMessage['outcome'],
  extra: Partial<SentMessage> = {},
): SentMessage => ({
  requestId,
  userId,
  role: userId === 'flo' ? 'flooder' : 'chatter',
  expected: 'clean',
  sentAtMs: 1_000,
  outcome,
  ...extra,
});

const review = (
  requestId: string,
  messageId: string,
  userId: string,
  result: 'ALLOW' | 'DENY',
): ReviewRecord => ({
  roomArn: ROOM,
  requestId,
  messageId,
  userId,
  startedAtMs: 1_000,
  durationMs: 2,
  result,
});

const FIRST_BATCH = ['msg000000001', 'msg000000002', 'msg000000003'];

/** A consumer invocation with a batch of records; its messages were sent a second before it arrived. */
const delivery = (invocationId: string, batch: number, redelivery: boolean, recordIds: string[]) => ({
  invocationId,
  batch,
  redelivery,
  arrivedAtMs: 2_000,
  recordIds,
  messageSentAtMs: recordIds.filter((id) => id.startsWith('msg')).map(() => 1_000),
});

/**
 * A small run where everything went right: alice chats (one message denied), flo floods (one message deleted,
 * a warning and a timeout), one message was refused over the room's rate and one slot skipped; the first chat
 * log batch was delivered twice.
 */
function consistentRun(): LoadObservations {
  const plan = ['delete:msg000000003', 'warn:flo:msg000000003', 'sanction:flo:msg000000003'];
  const kinds = ['delete-message', 'warn', 'sanction'];
  const actions = plan.map((key, index) => ({ key, kind: kinds[index] ?? '' }));
  return {
    sent: [
      sent('r1', 'alice', 'delivered', { messageId: 'msg000000001', content: 'hello' }),
      sent('r2', 'alice', 'denied', { errorCode: 406, errorMessage: 'Your message was not sent.' }),
      sent('r3', 'flo', 'delivered', { messageId: 'msg000000002', content: 'spam one' }),
      sent('r4', 'flo', 'delivered', { messageId: 'msg000000003', content: 'spam ***' }),
      sent('r5', 'flo', 'throttled', { errorCode: 429 }),
      sent('r6', 'flo', 'skipped'),
    ],
    reviews: [
      review('r1', 'msg000000001', 'alice', 'ALLOW'),
      review('r2', 'denied000001', 'alice', 'DENY'),
      review('r3', 'msg000000002', 'flo', 'ALLOW'),
      review('r4', 'msg000000003', 'flo', 'ALLOW'),
    ],
    logged: [
      message('msg000000001', 'hello'),
      message('msg000000002', 'spam one'),
      message('msg000000003', 'spam ***'),
      event('evt000000001', 'aws:DELETE_MESSAGE', { MessageId: 'msg000000003', MessageID: 'msg000000003' }),
      event('evt000000002', WARNING, { userId: 'flo', reason: 'Too many messages', strikes: '1' }),
    ],
    deliveries: [
      delivery('i1', 0, false, FIRST_BATCH),
      delivery('i2', 0, true, FIRST_BATCH),
      delivery('i3', 1, false, ['evt000000001', 'evt000000002']),
    ],
    plans: [
      { invocationId: 'i1', replans: 0, actions, failed: [] },
      { invocationId: 'i2', replans: 0, actions, failed: [] },
      { invocationId: 'i3', replans: 0, actions: [], failed: [] },
    ],
    calls: [
      { operation: 'DeleteMessage', messageId: 'msg000000003' },
      { operation: 'SendEvent', eventName: WARNING, userId: 'flo' },
    ],
    sanctionedUsers: new Set(['flo']),
    warningEventName: WARNING,
    errors: [],
  };
}

/** The checks that failed, each with its failures. */
function failures(observations: LoadObservations): Record<string, readonly string[]> {
  return Object.fromEntries(
    checkLoad(observations)
      .filter((check) => !passed(check))
      .map((check) => [check.name, check.failures]),
  );
}

const REVIEWED = 'every SendMessage the room accepted was reviewed exactly once';
const VERDICTS = 'what each sender got matches the verdict';
const LOGGED = 'every delivered message is in the chat logs exactly once, and nothing else is';
const CONSUMED = 'the consumer got every chat log record once (redeliveries aside)';
const PLANS = 'each consumer invocation logged its plan; a redelivered batch planned nothing new';
const EXECUTED = 'every planned action was executed exactly once';
const ACTIONS_LOGGED = 'every executed action is in the chat logs exactly once';
const ERRORS = 'no errors (clients, chat log delivery, functions, actions)';

describe('checkLoad', () => {
  it('passes a run where every message and action is accounted for', () => {
    expect(failures(consistentRun())).toEqual({});
    expect(checkLoad(consistentRun()).map((check) => [check.name, check.checked])).toEqual([
      [REVIEWED, 4],
      [VERDICTS, 4],
      [LOGGED, 3],
      [CONSUMED, 5],
      [PLANS, 3],
      [EXECUTED, 3],
      [ACTIONS_LOGGED, 2],
      [ERRORS, 1],
    ]);
  });

  type Mutation = (run: LoadObservations) => LoadObservations;
  const cases: [string, Mutation, Record<string, readonly string[]>][] = [
    [
      'a delivered message missing from the chat logs',
      (run) => ({ ...run, logged: run.logged.filter((logged) => logged.id !== 'msg000000002') }),
      {
        [LOGGED]: ['message msg000000002 was delivered but is missing from the chat logs'],
        [CONSUMED]: ['the consumer got record msg000000002, which is not in the chat logs'],
      },
    ],
    [
      'a message logged twice',
      (run) => ({ ...run, logged: [...run.logged, message('msg000000001', 'hello')] }),
      { [LOGGED]: ['message msg000000001 is in the chat logs 2 times'] },
    ],
    [
      'a denied message in the chat logs',
      (run) => ({ ...run, logged: [...run.logged, message('denied000001', 'nope')] }),
      {
        [LOGGED]: ['message denied000001 is in the chat logs but was never delivered'],
        [CONSUMED]: ['record denied000001 reached the consumer 0 times (first deliveries)'],
      },
    ],
    [
      'logged content other than delivered',
      (run) => ({
        ...run,
        logged: run.logged.map((logged) =>
          logged.id === 'msg000000003' ? message('msg000000003', 'spam two') : logged,
        ),
      }),
      { [LOGGED]: ['message msg000000003: the chat logs hold other content than was delivered'] },
    ],
    [
      'a message reviewed twice',
      (run) => ({ ...run, reviews: [...run.reviews, review('r1', 'msg000000001', 'alice', 'ALLOW')] }),
      { [REVIEWED]: ['request r1 (delivered) reviewed 2 times, expected 1'] },
    ],
    [
      'a message refused over the rate that was reviewed anyway',
      (run) => ({ ...run, reviews: [...run.reviews, review('r5', 'late00000001', 'flo', 'DENY')] }),
      { [REVIEWED]: ['request r5 (throttled) reviewed 1 times, expected 0'] },
    ],
    [
      'a review no client asked for',
      (run) => ({ ...run, reviews: [...run.reviews, review('r9', 'ghost0000001', 'flo', 'DENY')] }),
      { [REVIEWED]: ['review of request r9, which no client sent'] },
    ],
    [
      'a 406 where review allowed',
      (run) => ({
        ...run,
        reviews: run.reviews.map((entry) =>
          entry.requestId === 'r2' ? { ...entry, result: 'ALLOW' as const } : entry,
        ),
      }),
      {
        [VERDICTS]: ['request r2: refused with 406, review said ALLOW'],
        [LOGGED]: ['message denied000001 was delivered but is missing from the chat logs'],
      },
    ],
    [
      'no answer on an open connection',
      (run) => ({
        ...run,
        sent: run.sent.map((entry) =>
          entry.requestId === 'r1' ? { ...entry, outcome: 'unanswered' as const } : entry,
        ),
      }),
      { [REVIEWED]: ['request r1 got no answer on an open connection'] },
    ],
    [
      'a batch the consumer never got',
      (run) => ({
        ...run,
        deliveries: run.deliveries.filter((delivery) => delivery.batch !== 1),
        plans: run.plans.filter((plan) => plan.invocationId !== 'i3'),
      }),
      {
        [CONSUMED]: [
          'record evt000000001 reached the consumer 0 times (first deliveries)',
          'record evt000000002 reached the consumer 0 times (first deliveries)',
        ],
      },
    ],
    [
      'an invocation that logged no plan',
      (run) => ({ ...run, plans: run.plans.filter((plan) => plan.invocationId !== 'i3') }),
      { [PLANS]: ['consumer invocation i3 logged 0 plans'] },
    ],
    [
      'a redelivery that planned a new action',
      (run) => ({
        ...run,
        plans: run.plans.map((plan) =>
          plan.invocationId === 'i2'
            ? { ...plan, actions: [...plan.actions, { kind: 'delete-message', key: 'delete:msg000000002' }] }
            : plan,
        ),
        calls: [...run.calls, { operation: 'DeleteMessage', messageId: 'msg000000002' }],
        logged: [...run.logged, event('evt000000003', 'aws:DELETE_MESSAGE', { MessageId: 'msg000000002' })],
        deliveries: run.deliveries.map((delivery) =>
          delivery.batch === 1
            ? { ...delivery, recordIds: [...delivery.recordIds, 'evt000000003'] }
            : delivery,
        ),
      }),
      { [PLANS]: ['redelivery of batch 0 planned delete:msg000000002, which its first delivery did not'] },
    ],
    [
      'an action executed twice',
      (run) => ({ ...run, calls: [...run.calls, { operation: 'DeleteMessage', messageId: 'msg000000003' }] }),
      {
        [EXECUTED]: ['delete:msg000000003: DeleteMessage called 2 times'],
        [ACTIONS_LOGGED]: ['delete msg000000003: 2 calls, 1 EVENT records in the chat logs'],
      },
    ],
    [
      'a planned warning never sent',
      (run) => ({ ...run, calls: run.calls.filter((call) => call.operation !== 'SendEvent') }),
      {
        [EXECUTED]: ['flo: 1 warnings (SendEvent) planned, 0 called'],
        [ACTIONS_LOGGED]: [`event ${WARNING} flo: 0 calls, 1 EVENT records in the chat logs`],
      },
    ],
    [
      'an action nobody planned',
      (run) => ({
        ...run,
        calls: [...run.calls, { operation: 'DisconnectUser', userId: 'alice' }],
        logged: [...run.logged, event('evt000000004', 'aws:DISCONNECT_USER', { UserId: 'alice' })],
        deliveries: run.deliveries.map((delivery) =>
          delivery.batch === 1
            ? { ...delivery, recordIds: [...delivery.recordIds, 'evt000000004'] }
            : delivery,
        ),
      }),
      { [EXECUTED]: ['alice: 0 disconnections (DisconnectUser) planned, 1 called'] },
    ],
    [
      'a sanction not stored',
      (run) => ({ ...run, sanctionedUsers: new Set<string>() }),
      { [EXECUTED]: ['sanction:flo:msg000000003: no sanction stored for flo'] },
    ],
    [
      'an executed action missing from the chat logs',
      (run) => ({
        ...run,
        logged: run.logged.filter((logged) => logged.id !== 'evt000000001'),
        deliveries: run.deliveries.map((delivery) =>
          delivery.batch === 1 ? { ...delivery, recordIds: ['evt000000002'] } : delivery,
        ),
      }),
      { [ACTIONS_LOGGED]: ['delete msg000000003: 1 calls, 0 EVENT records in the chat logs'] },
    ],
    [
      'errors along the way',
      (run) => ({
        ...run,
        errors: ['chat logging to log group chat: failed 3 times: down'],
        plans: [
          { invocationId: 'i3', replans: 0, actions: [], failed: [{ key: 'warn:x:y', error: 'throttled' }] },
          ...run.plans.slice(0, 2),
        ],
      }),
      {
        [ERRORS]: [
          'chat logging to log group chat: failed 3 times: down',
          'action warn:x:y failed: throttled',
        ],
      },
    ],
  ];

  it.each(cases)('fails on %s', (_case, mutate, expected) => {
    expect(failures(mutate(consistentRun()))).toEqual(expected);
  });
});

describe('summarizeLoad', () => {
  it('counts outcomes, latencies and actions', () => {
    const summary = summarizeLoad(consistentRun(), 200);
    expect(summary).toMatchObject({
      slots: 6,
      skipped: 1,
      sent: 5,
      throttled: 1,
      reviewed: 4,
      delivered: 3,
      denied: 1,
      deniedBy: [['Your message was not sent.', 1]],
      loggedMessages: 3,
      loggedEvents: 2,
      atReviewLimit: 0,
      consumerInvocations: 3,
      redeliveries: 1,
      logLagMs: { count: 3, p50: 1_000, max: 1_000 },
      actions: [
        { kind: 'delete-message', planned: 1, executed: 1 },
        { kind: 'warn', planned: 1, executed: 1 },
        { kind: 'sanction (users)', planned: 1, executed: 1 },
        { kind: 'disconnect', planned: 0, executed: 0 },
      ],
    });
  });
});
