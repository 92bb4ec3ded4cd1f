import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareSendTimes,
  deletedMessageId,
  epochNanosOf,
  parseChatLogLine,
  parseChatLogRecord,
  parseSendTime,
} from '../../../shared/chat-logs/chat-log-record.js';
import {
  decodeSubscriptionEvent,
  firehoseRecordLines,
  parseFirehoseEvent,
  roomIdOfLogStream,
} from '../../../shared/chat-logs/log-envelopes.js';

/** The record the AWS logging blog shows, as IVS writes it. */
const MESSAGE_RECORD = {
  event_timestamp: '2023-01-05T14:33:32.894Z',
  type: 'MESSAGE',
  payload: {
    Type: 'MESSAGE',
    Id: 'WhO6MW6iRdS5',
    RequestId: '',
    Attributes: { username: 'gleningp' },
    Content: 'bbiab!',
    SendTime: '2023-01-05T14:33:32.894089757Z',
    Sender: { UserId: '75758272-f3f2-4f65-83c5-9b8f144116b8', Attributes: {} },
  },
  version: '1.0',
};
const DELETE_RECORD = {
  event_timestamp: '2023-01-05T14:33:40.001Z',
  type: 'EVENT',
  payload: {
    Type: 'EVENT',
    Id: 'Ev3nt1d00001',
    RequestId: '',
    EventName: 'aws:DELETE_MESSAGE',
    Attributes: { MessageID: 'WhO6MW6iRdS5', Reason: 'spam' },
    SendTime: '2023-01-05T14:33:40.001234567Z',
  },
  version: '1.0',
};

const subscriptionEvent = (body: unknown) => ({
  awslogs: { data: gzipSync(Buffer.from(JSON.stringify(body))).toString('base64') },
});

describe('chat log records', () => {
  it('parses a MESSAGE record, keeping the nanoseconds of SendTime', () => {
    const parsed = parseChatLogLine(JSON.stringify(MESSAGE_RECORD));
    expect(parsed).toEqual({
      ok: true,
      record: {
        type: 'MESSAGE',
        eventTimestamp: '2023-01-05T14:33:32.894Z',
        id: 'WhO6MW6iRdS5',
        requestId: '',
        content: 'bbiab!',
        attributes: { username: 'gleningp' },
        sendTime: { iso: '2023-01-05T14:33:32.894089757Z', epochMillis: 1672929212894, extraNanos: 89757 },
        sender: { userId: '75758272-f3f2-4f65-83c5-9b8f144116b8', attributes: {} },
      },
    });
  });

  it('parses an EVENT record and finds the deleted message by MessageId or the deprecated MessageID', () => {
    const parsed = parseChatLogRecord(DELETE_RECORD);
    expect(parsed.ok && parsed.record.type === 'EVENT' ? deletedMessageId(parsed.record) : undefined).toBe(
      'WhO6MW6iRdS5',
    );
  });

  it('gives a reason for each kind of malformed record', () => {
    const broken = (change: Record<string, unknown>, payload: Record<string, unknown> = {}) =>
      parseChatLogRecord({
        ...MESSAGE_RECORD,
        ...change,
        payload: { ...MESSAGE_RECORD.payload, ...payload },
      });
    expect(parseChatLogLine('{nope')).toEqual({ ok: false, reason: 'not JSON' });
    expect(broken({ type: 'PING' })).toEqual({ ok: false, reason: 'unknown type "PING"' });
    expect(broken({ event_timestamp: 'yesterday' })).toMatchObject({ ok: false });
    expect(broken({}, { SendTime: '2023-01-05 14:33' })).toEqual({
      ok: false,
      reason: 'payload.SendTime is not a date-time',
    });
    expect(broken({}, { Attributes: { n: 1 } })).toEqual({
      ok: false,
      reason: 'payload.Attributes is not a string map',
    });
    expect(broken({}, { Sender: {} })).toEqual({ ok: false, reason: 'payload.Sender.UserId is missing' });
  });

  it('never throws on any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(typeof parseChatLogRecord(value).ok).toBe('boolean');
      }),
    );
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(typeof parseChatLogLine(text).ok).toBe('boolean');
      }),
    );
  });

  it('reads SendTime with any number of fractional digits and an offset', () => {
    const nanos = (value: string) => {
      const time = parseSendTime(value);
      return time === undefined ? undefined : epochNanosOf(time);
    };
    expect(nanos('2023-01-05T14:33:32Z')).toBe(1672929212000000000n);
    expect(nanos('2023-01-05T15:33:32.5+01:00')).toBe(1672929212500000000n);
    expect(nanos('2023-01-05T14:33:32.000000001Z')).toBe(1672929212000000001n);
    expect(nanos('1969-12-31T23:59:59.999999999Z')).toBe(-1n);
    expect(parseSendTime('2023-01-05T14:33:32.894089757Z')).toEqual({
      iso: '2023-01-05T14:33:32.894089757Z',
      epochMillis: 1672929212894,
      extraNanos: 89757,
    });
    expect(parseSendTime('2023-01-05T14:33:32.1234567891Z')).toBeUndefined();
  });
});

describe('date-times, as Date.parse reads them', () => {
  // The first version: a regex, then Date.parse of the second, then BigInt arithmetic, every record.
  const ISO = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;
  const referenceSendTime = (value: string) => {
    const match = ISO.exec(value);
    if (match === null) return undefined;
    const [, seconds, fraction = '', zone] = match;
    const millis = Date.parse(`${seconds}${zone}`);
    if (Number.isNaN(millis)) return undefined;
    return { iso: value, epochNanos: BigInt(millis) * 1_000_000n + BigInt(fraction.padEnd(9, '0')) };
  };
  const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
  const dateTime = fc
    .tuple(
      fc.constantFrom('0000', '1969', '2023', '2024', '9999'),
      two(13),
      two(32),
      fc.oneof(two(25), fc.constant('24')),
      fc.oneof(two(60), fc.constant('00')),
      fc.oneof(two(61), fc.constant('00')),
      fc.option(fc.stringMatching(/^[0-9]{0,10}$/), { nil: undefined }),
      fc.oneof(
        fc.constant('Z'),
        fc.tuple(fc.constantFrom('+', '-'), two(25), two(60)).map((parts) => parts.join('')),
      ),
    )
    .map(([year, month, day, hour, minute, second, fraction, zone]) => {
      const offset = zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
      return `${year}-${month}-${day}T${hour}:${minute}:${second}${fraction === undefined ? '' : `.${fraction}`}${offset}`;
    });
  const anyTime = fc.oneof(
    dateTime,
    dateTime,
    fc.constantFrom('Tue Nov 27 2026', '2026-11-27', 'now', ''),
    fc.string(),
  );

  it('parses SendTime as the first version did, valid or not, in any order', () => {
    fc.assert(
      fc.property(fc.array(anyTime, { maxLength: 30 }), (values) => {
        for (const value of [...values, ...values]) {
          const time = parseSendTime(value);
          const read = time === undefined ? undefined : { iso: time.iso, epochNanos: epochNanosOf(time) };
          expect(read).toEqual(referenceSendTime(value));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('orders SendTimes as their nanoseconds since the epoch', () => {
    fc.assert(
      fc.property(dateTime, dateTime, (first, second) => {
        const [a, b] = [parseSendTime(first), parseSendTime(second)];
        if (a === undefined || b === undefined) return;
        const [nanosA, nanosB] = [epochNanosOf(a), epochNanosOf(b)];
        expect(Math.sign(compareSendTimes(a, b))).toBe(nanosA < nanosB ? -1 : nanosA > nanosB ? 1 : 0);
      }),
      { numRuns: 500 },
    );
  });

  it('accepts an event_timestamp exactly when Date.parse reads it', () => {
    fc.assert(
      fc.property(fc.array(anyTime, { maxLength: 30 }), (values) => {
        for (const value of [...values, ...values]) {
          const parsed = parseChatLogRecord({ ...MESSAGE_RECORD, event_timestamp: value });
          const refused = !parsed.ok && parsed.reason === 'event_timestamp is not a date-time';
          expect(refused).toBe(Number.isNaN(Date.parse(value)));
        }
      }),
      { numRuns: 500 },
    );
    expect(parseChatLogRecord({ ...MESSAGE_RECORD, event_timestamp: '2023-01-05T24:00:00Z' }).ok).toBe(true);
    expect(parseChatLogRecord({ ...MESSAGE_RECORD, event_timestamp: '2023-01-05T24:00:00.5Z' }).ok).toBe(
      !Number.isNaN(Date.parse('2023-01-05T24:00:00.5Z')),
    );
  });
});

describe('CloudWatch Logs subscription envelopes', () => {
  const data = {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: '/aws/vendedlogs/ivschat/dev',
    logStream: 'aws/IVSChatLogs/1.0/room_abc123DEF456',
    subscriptionFilters: ['moderation'],
    logEvents: [{ id: '1', timestamp: 1672929212894, message: JSON.stringify(MESSAGE_RECORD) }],
  };

  it('decodes gzip + base64 and recovers the room from the log stream', () => {
    expect(decodeSubscriptionEvent(subscriptionEvent(data))).toEqual({
      kind: 'data',
      owner: '123456789012',
      logGroup: '/aws/vendedlogs/ivschat/dev',
      logStream: 'aws/IVSChatLogs/1.0/room_abc123DEF456',
      roomId: 'abc123DEF456',
      logEvents: data.logEvents,
      rejected: [],
    });
    expect(roomIdOfLogStream('some/other/stream')).toBeUndefined();
  });

  it('acknowledges control messages', () => {
    expect(decodeSubscriptionEvent(subscriptionEvent({ messageType: 'CONTROL_MESSAGE' }))).toEqual({
      kind: 'control',
    });
  });

  it('refuses what is not an envelope, not gzip, or too large once decompressed', () => {
    expect(decodeSubscriptionEvent({})).toMatchObject({ kind: 'invalid' });
    expect(decodeSubscriptionEvent({ awslogs: { data: 'bm90IGd6aXA=' } })).toMatchObject({
      kind: 'invalid',
      reason: expect.stringContaining('not gzip'),
    });
    // A gzip bomb: 64 MB of zeros compress to about 64 KB.
    const bomb = { awslogs: { data: gzipSync(Buffer.alloc(64 * 1024 * 1024)).toString('base64') } };
    expect(decodeSubscriptionEvent(bomb, 1024 * 1024)).toEqual({
      kind: 'invalid',
      reason: 'awslogs.data decompresses to more than 1048576 bytes',
    });
    // An entry that is not a log event is reported on its own; its neighbours are kept.
    expect(
      decodeSubscriptionEvent(subscriptionEvent({ ...data, logEvents: [{ id: 1 }, ...data.logEvents] })),
    ).toMatchObject({
      kind: 'data',
      logEvents: data.logEvents,
      rejected: [{ logEventId: 'logEvents[0]', reason: 'not a log event {id, timestamp, message}' }],
    });
  });
});

describe('Firehose transformation events', () => {
  const firehoseEvent = (datas: string[]) => ({
    invocationId: 'invocation-1',
    deliveryStreamArn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/chat',
    region: 'us-east-1',
    records: datas.map((data, index) => ({ recordId: `r${index}`, approximateArrivalTimestamp: 1, data })),
  });

  it('reads plain NDJSON records and CloudWatch-fed gzip records', () => {
    const plain = Buffer.from(
      `${JSON.stringify(MESSAGE_RECORD)}\n${JSON.stringify(DELETE_RECORD)}\n`,
    ).toString('base64');
    const fed = subscriptionEvent({
      messageType: 'DATA_MESSAGE',
      owner: '123456789012',
      logGroup: 'g',
      logStream: 'aws/IVSChatLogs/1.0/room_x',
      logEvents: [{ id: '1', timestamp: 1, message: 'line' }],
    }).awslogs.data;
    const batch = parseFirehoseEvent(firehoseEvent([plain, fed]));
    expect(batch).toMatchObject({ ok: true, records: [{ recordId: 'r0' }, { recordId: 'r1' }] });
    expect(firehoseRecordLines(plain)).toEqual({
      lines: [JSON.stringify(MESSAGE_RECORD), JSON.stringify(DELETE_RECORD)],
    });
    expect(firehoseRecordLines(fed)).toEqual({
      lines: ['line'],
      room: { owner: '123456789012', roomId: 'x' },
    });
  });

  it('refuses a malformed batch with a reason', () => {
    expect(parseFirehoseEvent({ records: 'x' })).toMatchObject({ ok: false });
    expect(parseFirehoseEvent({ ...firehoseEvent([]), records: [{ recordId: 'a' }] })).toEqual({
      ok: false,
      reason: 'records[0] has no recordId or data',
    });
  });
});
