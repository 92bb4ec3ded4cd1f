import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DeliveredFrame } from '../../local/ivschat/messaging-frames.js';
import { chatLogRecord, nanosecondTime } from '../../local/ivschat/messaging-frames.js';
import type { RecordParse } from '../../shared/chat-logs/chat-log-record.js';
import {
  epochNanosOf,
  parseChatLogLine,
  parseChatLogRecord,
} from '../../shared/chat-logs/chat-log-record.js';
import { isStringMap } from '../../shared/guards.js';
import {
  fuzzParameters,
  garbage,
  hostileString,
  jsonText,
  nearValid,
  PROTOTYPE_KEYS,
} from '../helpers/fuzz.js';

/**
 * IVS chat log records, `{event_timestamp, type, version, payload}`: from any value or line, a typed record or a
 * reason, never a throw; what the emulator logs parses back to what it sent.
 */

const ROOM_ARN = 'arn:aws:ivschat:us-east-1:123456789012:room/g1H2I3j4k5L6';
const attributes = fc.dictionary(
  fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom(...PROTOTYPE_KEYS)),
  hostileString,
  {
    maxKeys: 4,
  },
);
const time = fc.date({
  min: new Date('1970-01-01T00:00:00Z'),
  max: new Date('2100-01-01T00:00:00Z'),
  noInvalidDate: true,
});
const id = fc.stringMatching(/^[a-zA-Z0-9]{12}$/);

const messageFrame = fc.record({
  Type: fc.constant('MESSAGE' as const),
  Id: id,
  RequestId: fc.constantFrom('', 'b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e'),
  Content: hostileString,
  Attributes: attributes,
  SendTime: time.map(nanosecondTime),
  Sender: fc.record({ UserId: hostileString, Attributes: attributes }),
});
const eventFrame = fc.record({
  Type: fc.constant('EVENT' as const),
  Id: id,
  RequestId: fc.constant(''),
  EventName: fc.constantFrom('aws:DELETE_MESSAGE', 'aws:DISCONNECT_USER', 'app:hello'),
  Attributes: attributes,
  SendTime: time.map(nanosecondTime),
});
const frame: fc.Arbitrary<DeliveredFrame> = fc.oneof(messageFrame, eventFrame);
const loggedRecord = fc.tuple(frame, time).map(([sent, at]) => chatLogRecord(ROOM_ARN, sent, at).record);

function expectWellTyped(parsed: RecordParse): void {
  if (!parsed.ok) {
    expect(parsed.reason).toMatch(/\S/);
    return;
  }
  const { record } = parsed;
  expect(['MESSAGE', 'EVENT']).toContain(record.type);
  expect(record.id).not.toBe('');
  expect(typeof record.requestId).toBe('string');
  expect(isStringMap(record.attributes)).toBe(true);
  expect(Number.isNaN(Date.parse(record.eventTimestamp))).toBe(false);
  expect(Number.isInteger(record.sendTime.epochMillis)).toBe(true);
  expect(record.sendTime.extraNanos).toBeGreaterThanOrEqual(0);
  expect(record.sendTime.extraNanos).toBeLessThan(1_000_000);
  if (record.type === 'MESSAGE') {
    expect(typeof record.content).toBe('string');
    expect(typeof record.sender.userId).toBe('string');
    expect(isStringMap(record.sender.attributes)).toBe(true);
  } else expect(record.eventName).not.toBe('');
}

describe('fuzz: chat log records', () => {
  it('reads any value as a typed record or a reason, never throwing', () => {
    fc.assert(
      fc.property(fc.oneof(garbage, nearValid(loggedRecord), loggedRecord), (value) => {
        expectWellTyped(parseChatLogRecord(value));
      }),
      fuzzParameters(70),
    );
  });

  it('reads any line as a typed record or a reason, never throwing', () => {
    const line = fc.oneof(
      hostileString,
      fc.json(),
      nearValid(loggedRecord).map((value) => jsonText(value) ?? ''),
      // Cut anywhere: a record split across two log lines or objects.
      fc.tuple(loggedRecord, fc.nat()).map(([record, cut]) => {
        const text = JSON.stringify(record);
        return text.slice(0, cut % text.length);
      }),
    );
    fc.assert(
      fc.property(line, (text) => expectWellTyped(parseChatLogLine(text))),
      fuzzParameters(70),
    );
  });

  it('regression: a type nested 10,000 deep is refused, not a stack overflow', () => {
    const line = `{"event_timestamp":"2023-01-05T14:33:32.894Z","type":${'['.repeat(10_000)}${']'.repeat(10_000)},"payload":{}}`;
    expect(parseChatLogLine(line)).toEqual({ ok: false, reason: 'unknown type a list' });
  });

  it('parses back what the emulator logs, field for field', () => {
    fc.assert(
      fc.property(frame, time, (sent, at) => {
        const parsed = parseChatLogLine(JSON.stringify(chatLogRecord(ROOM_ARN, sent, at).record));
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) return;
        const { record } = parsed;
        expect(record.eventTimestamp).toBe(at.toISOString());
        expect([record.id, record.requestId, record.attributes]).toEqual([sent.Id, '', sent.Attributes]);
        expect(record.sendTime.iso).toBe(sent.SendTime);
        expect(epochNanosOf(record.sendTime)).toBe(BigInt(Date.parse(sent.SendTime)) * 1_000_000n);
        if (sent.Type === 'MESSAGE' && record.type === 'MESSAGE') {
          expect([record.content, record.sender.userId]).toEqual([sent.Content, sent.Sender.UserId]);
          expect(record.sender.attributes).toEqual(sent.Sender.Attributes);
        } else if (sent.Type === 'EVENT' && record.type === 'EVENT') {
          expect(record.eventName).toBe(sent.EventName);
        } else expect(record.type).toBe(sent.Type);
      }),
      fuzzParameters(40),
    );
  });

  it('answers each record the same whatever was parsed before it', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(loggedRecord, nearValid(loggedRecord)), { maxLength: 12 }), (records) => {
        const forward = records.map((record) => parseChatLogRecord(record));
        const backward = [...records]
          .reverse()
          .map((record) => parseChatLogRecord(record))
          .reverse();
        expect(backward).toEqual(forward);
      }),
      fuzzParameters(20),
    );
  });
});
