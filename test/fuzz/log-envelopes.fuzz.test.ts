import { gzipSync } from 'node:zlib';
import type { CloudWatchLogsDecodedData } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkTransformationReply,
  encodeSubscriptionEvent,
  logStreamName,
} from '../../local/ivschat/chat-logging.js';
import { parseChatLogLine } from '../../shared/chat-logs/chat-log-record.js';
import {
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  decodeSubscriptionEvent,
  firehoseRecordLines,
  gunzipBase64,
  parseFirehoseEvent,
  roomIdOfLogStream,
} from '../../shared/chat-logs/log-envelopes.js';
import type { ModerationDeps } from '../../shared/enforcement/moderate-batch.js';
import { moderateFirehoseBatch } from '../../shared/enforcement/moderate-firehose-batch.js';
import { moderateLogEvent } from '../../shared/enforcement/moderate-log-event.js';
import { isRecord } from '../../shared/guards.js';
import { parsePolicy } from '../../shared/policy/load-policy-file.js';
import { compilePolicy } from '../../shared/rules/compile-policy.js';
import { chatLogLine } from '../helpers/chat-log-lines.js';
import { fuzzParameters, garbage, hostileString, jsonText, nearValid } from '../helpers/fuzz.js';
import { MemoryEnforcementStore } from '../helpers/memory-enforcement-store.js';

/**
 * The envelopes chat logs arrive in: a CloudWatch Logs subscription event (base64 of gzip of JSON) and a Firehose
 * transformation batch. Whatever arrives, the consumer answers without throwing, a good record is never lost to
 * a bad neighbour, and decompression stops at its cap.
 */

const OWNER = '123456789012';
const ROOM_ID = 'g1H2I3j4k5L6';
const base64Gzip = (text: string) => gzipSync(Buffer.from(text)).toString('base64');

const goodLine = fc
  .tuple(fc.stringMatching(/^[a-z]{1,8}$/), fc.integer({ min: 0, max: 3_600 }), hostileString)
  .map(([user, second, content]) => chatLogLine(user, new Date(1_700_000_000_000 + second * 1000), content));
const badLine = fc.oneof(
  hostileString,
  goodLine.map((line) => line.slice(0, Math.floor(line.length / 2))),
  nearValid(goodLine.map((line): unknown => JSON.parse(line))).map((value) => jsonText(value) ?? ''),
);
const logEvent = (message: string, index: number) => ({
  id: `${index}`.padStart(56, '0'),
  timestamp: index,
  message,
});
const SAMPLE_BODY: CloudWatchLogsDecodedData = {
  messageType: 'DATA_MESSAGE',
  owner: OWNER,
  logGroup: '/aws/vendedlogs/ivschat/dev',
  logStream: logStreamName(ROOM_ID),
  subscriptionFilters: ['moderation'],
  logEvents: [],
};
const decodedBody = fc
  .array(goodLine, { maxLength: 5 })
  .map((lines): CloudWatchLogsDecodedData => ({ ...SAMPLE_BODY, logEvents: lines.map(logEvent) }));

/** A policy in shadow mode: plans enforcement, carries nothing out. */
const SHADOW_POLICY = compilePolicy(
  parsePolicy(
    `version: 1
name: fuzz
rules:
  - { id: slurs, kind: terms, action: deny, severity: high, reason: No slurs., terms: [slurword] }
  - { id: profanity, kind: terms, action: mask, severity: low, reason: Language., terms: [damn] }
enforcement: { mode: shadow, flood: { maxMessages: 3, windowSeconds: 10 }, recheck: true }
`,
    'fuzz.yaml',
  ),
);
const shadowDeps = (): ModerationDeps => ({
  policy: SHADOW_POLICY,
  store: new MemoryEnforcementStore(),
  now: () => 1_700_000_100_000,
  execute: () => Promise.reject(new Error('shadow mode carries no action out')),
});

describe('fuzz: CloudWatch Logs subscription events', () => {
  it('decodes anything to data, control or a reason, never throwing', () => {
    const event = fc.oneof(
      garbage,
      fc.record({ awslogs: fc.record({ data: fc.oneof(hostileString, fc.base64String()) }) }),
      fc
        .uint8Array({ maxLength: 300 })
        .map((bytes) => ({ awslogs: { data: Buffer.from(bytes).toString('base64') } })),
      nearValid(decodedBody).map((body) => ({ awslogs: { data: base64Gzip(jsonText(body) ?? '') } })),
      nearValid(decodedBody.map(encodeSubscriptionEvent)),
    );
    fc.assert(
      fc.property(event, (input) => {
        const envelope = decodeSubscriptionEvent(input);
        if (envelope.kind === 'invalid') expect(envelope.reason).toMatch(/\S/);
        if (envelope.kind !== 'data') return;
        expect(envelope.roomId).toBe(roomIdOfLogStream(envelope.logStream));
        for (const { id, timestamp, message } of envelope.logEvents)
          expect([typeof id, typeof timestamp, typeof message]).toEqual(['string', 'number', 'string']);
      }),
      fuzzParameters(40),
    );
  });

  it('decodes what the emulator encodes to the same log events', () => {
    fc.assert(
      fc.property(decodedBody, (body) => {
        expect(decodeSubscriptionEvent(encodeSubscriptionEvent(body))).toEqual({
          kind: 'data',
          owner: OWNER,
          logGroup: body.logGroup,
          logStream: body.logStream,
          roomId: ROOM_ID,
          logEvents: body.logEvents,
          rejected: [],
        });
      }),
      fuzzParameters(15),
    );
  });

  it('refuses gzip cut short or with a forged size, and never decompresses past the cap', () => {
    const cap = 4096;
    const compressed = fc
      .tuple(decodedBody, fc.integer({ min: 0, max: 4 * cap }))
      .map(([body, padding]) =>
        gzipSync(Buffer.from(JSON.stringify({ ...body, padding: ' '.repeat(padding) }))),
      );
    fc.assert(
      fc.property(compressed, fc.nat(), fc.nat(), (bytes, cut, forgedSize) => {
        const whole = gunzipBase64(bytes.toString('base64'), cap);
        if ('text' in whole) expect(Buffer.byteLength(whole.text)).toBeLessThanOrEqual(cap);
        else expect(whole.error).toBe(`decompresses to more than ${cap} bytes`);
        const truncated = bytes.subarray(0, cut % bytes.length);
        expect(gunzipBase64(truncated.toString('base64'), cap)).toHaveProperty('error');
        const forged = Buffer.from(bytes);
        forged.writeUInt32LE(forgedSize % 2 ** 32, forged.length - 4);
        const read = gunzipBase64(forged.toString('base64'), cap);
        if (forged.equals(bytes)) expect(read).toEqual(whole);
        else expect(read).toHaveProperty('error');
      }),
      fuzzParameters(20),
    );
  });

  /** The ids of the MESSAGE records among lines, each parsed alone. */
  const messageIds = (lines: readonly unknown[]) =>
    lines.flatMap((line) => {
      if (typeof line !== 'string') return [];
      const parsed = parseChatLogLine(line);
      return parsed.ok && parsed.record.type === 'MESSAGE' ? [parsed.record.id] : [];
    });

  it('regression: an entry that is not a log event costs only itself', async () => {
    // It used to refuse the whole envelope, and with it every good record of the batch.
    const good = chatLogLine('viewer', new Date(1_700_000_000_000), 'hello');
    const body = { ...SAMPLE_BODY, logEvents: [logEvent(good, 1), { id: 1 }] };
    const event = { awslogs: { data: base64Gzip(JSON.stringify(body)) } };
    const result = await moderateLogEvent(event, 'us-east-1', shadowDeps());
    expect(result).toMatchObject({
      kind: 'moderated',
      records: 2,
      rejected: [{ logEventId: 'logEvents[1]', reason: 'not a log event {id, timestamp, message}' }],
    });
    expect(result.room?.plan.outcomes.map((outcome) => outcome.messageId)).toEqual(messageIds([good]));
  });

  it('moderates every good record of a batch whatever its neighbours, and reports each bad one', async () => {
    const entry = fc.oneof(goodLine, badLine, nearValid(fc.constant(logEvent('x', 0))));
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { maxLength: 8 }), async (entries) => {
        const logEvents = entries.map((entry, index) =>
          typeof entry === 'string' ? logEvent(entry, index) : entry,
        );
        const text = jsonText({ ...SAMPLE_BODY, logEvents }) ?? '';
        const event = { awslogs: { data: base64Gzip(text) } };
        const result = await moderateLogEvent(event, 'us-east-1', shadowDeps());
        // Past the cap the envelope is refused whole, by design: nothing of it is read.
        if (Buffer.byteLength(text) > DEFAULT_MAX_DECOMPRESSED_BYTES) {
          expect(result).toMatchObject({
            kind: 'invalid',
            reason: expect.stringContaining('decompresses to more'),
          });
          return;
        }
        expect(result.kind).toBe('moderated');
        expect(result.records).toBe(entries.length);
        const moderated = result.room?.plan.outcomes.map((outcome) => outcome.messageId) ?? [];
        // Each entry is judged as it would be alone: an entry that is not a log event has no message.
        const lines = logEvents.map((logEvent) =>
          isRecord(logEvent) && typeof logEvent.id === 'string' && typeof logEvent.timestamp === 'number'
            ? logEvent.message
            : undefined,
        );
        expect(moderated.sort()).toEqual(messageIds(lines).sort());
        const events = lines.filter((line) => typeof line === 'string' && parseChatLogLine(line).ok).length;
        expect(result.rejected.length).toBe(entries.length - events);
      }),
      fuzzParameters(15),
    );
  });
});

describe('fuzz: Firehose transformation batches', () => {
  const firehoseEvent = (datas: readonly string[]) => ({
    invocationId: 'invocation-1',
    deliveryStreamArn: `arn:aws:firehose:us-east-1:${OWNER}:deliverystream/chat`,
    region: 'us-east-1',
    records: datas.map((data, index) => ({
      recordId: `r${index}`,
      approximateArrivalTimestamp: index,
      data,
    })),
  });
  const goodRecord = fc.oneof(
    fc
      .array(goodLine, { minLength: 1, maxLength: 3 })
      .map((lines) => Buffer.from(`${lines.join('\n')}\n`).toString('base64')),
    decodedBody.map((body) => encodeSubscriptionEvent(body).awslogs.data),
  );
  const badRecord = fc.oneof(
    badLine.map((line) => Buffer.from(line).toString('base64')),
    fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('base64')),
    goodRecord.map((data) => Buffer.from(data, 'base64').subarray(0, -5).toString('base64')),
  );

  it('parses anything to a batch or a reason, and any record data to lines or an error', () => {
    fc.assert(
      fc.property(
        fc.oneof(garbage, nearValid(fc.array(goodRecord, { maxLength: 3 }).map(firehoseEvent))),
        (event) => {
          const batch = parseFirehoseEvent(event);
          if (!batch.ok) expect(batch.reason).toMatch(/\S/);
        },
      ),
      fuzzParameters(35),
    );
    fc.assert(
      fc.property(fc.oneof(hostileString, goodRecord, badRecord), (data) => {
        const read = firehoseRecordLines(data, 64 * 1024);
        if ('error' in read) expect(read.error).toMatch(/\S/);
        else for (const line of read.lines) expect(line.trim()).not.toBe('');
      }),
      fuzzParameters(35),
    );
  });

  it('regression: a record nested 10,000 deep fails alone instead of the whole batch', async () => {
    // Parsed, it could not be written back: JSON.stringify overflowed the stack and the batch threw.
    const good = chatLogLine('viewer', new Date(1_700_000_000_000), 'hello');
    const deep = good.replace('"version":"1.0"', `"version":${'['.repeat(10_000)}${']'.repeat(10_000)}`);
    const event = firehoseEvent([good, deep].map((line) => Buffer.from(`${line}\n`).toString('base64')));
    const result = await moderateFirehoseBatch(event, 'us-east-1', shadowDeps());
    expect(result).toMatchObject({
      kind: 'transformed',
      records: [
        { recordId: 'r0', result: 'Ok' },
        { recordId: 'r1', result: 'ProcessingFailed' },
      ],
      failed: [{ recordId: 'r1', reason: expect.stringMatching(/\S/) }],
    });
  });

  it('answers every record by its id as Firehose requires, good records Ok whatever their neighbours', async () => {
    const record = fc.oneof(
      goodRecord.map((data) => ({ good: true, data })),
      badRecord.map((data) => ({ good: false, data })),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(record, { maxLength: 6 }), async (records) => {
        const event = firehoseEvent(records.map(({ data }) => data));
        const result = await moderateFirehoseBatch(event, 'us-east-1', shadowDeps());
        expect(result.kind).toBe('transformed');
        if (result.kind !== 'transformed') return;
        const reply = checkTransformationReply({ records: result.records }, event.records);
        expect(typeof reply === 'string' ? reply : 'valid').toBe('valid');
        result.records.forEach((answer, index) => {
          const sent = records[index];
          if (sent?.good) expect(answer.result).toBe('Ok');
          if (answer.result === 'ProcessingFailed') expect(answer.data).toBe(sent?.data);
        });
      }),
      fuzzParameters(15),
    );
  });
});
