import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateCorpus } from '../../../bench/corpus.js';
import { logBatch } from '../../../bench/enforcement-bench.js';
import {
  readChatLogEvent,
  readSubscriptionBody,
  readSubscriptionBodyInJs,
  scanSubscriptionBody,
} from '../../../shared/chat-logs/read-chat-log-event.js';
import { isRecord } from '../../../shared/guards.js';
import { chatLogLine } from '../../helpers/chat-log-lines.js';
import { fuzzParameters, hostileJson, hostileString, PROTOTYPE_KEYS } from '../../helpers/fuzz.js';

/**
 * The chat log consumer's WebAssembly decoder (log-scan.as.ts) against the reference it stands in for, JSON.parse
 * of the body and then of each message: the same records, the same rejections, the same answer for a body that
 * is not JSON, on the bench's batch, on bodies written with every JSON spelling the reference reads, and on
 * those bodies with bytes broken.
 */

const ROOM_ID = 'g1H2I3j4k5L6';
const header = {
  messageType: 'DATA_MESSAGE',
  owner: '123456789012',
  logGroup: '/aws/vendedlogs/ivschat/test',
  logStream: `aws/IVSChatLogs/1.0/room_${ROOM_ID}`,
  subscriptionFilters: ['moderation'],
};
const bodyOf = (messages: readonly string[], extra: Record<string, unknown> = {}) => ({
  ...header,
  logEvents: messages.map((message, index) => ({
    id: `${index}`.padStart(56, '3'),
    timestamp: index,
    message,
  })),
  ...extra,
});
const bytesOf = (value: unknown) => Buffer.from(JSON.stringify(value));
const line = (content: string, attributes: Record<string, string> = {}) =>
  chatLogLine('user-1', new Date(Date.UTC(2026, 10, 27, 12)), content, attributes);

/** Both readers agree on `bytes`; returns the decoder's answer. */
function expectSameReading(bytes: Buffer) {
  const read = readSubscriptionBody(bytes);
  expect(read).toStrictEqual(readSubscriptionBodyInJs(bytes));
  return read;
}

/**
 * JSON text of `value` spelled as a JSON writer may spell it: spaces between tokens, code points escaped as
 * \uXXXX (pairs for astral ones), '/' as '\/', and control characters in their short forms.
 */
function spelledJson(value: unknown, random: () => number): string {
  const gap = () => (random() < 0.15 ? ([' ', '\n', '\t', '\r\n  '][Math.floor(random() * 4)] ?? '') : '');
  const hex = (unit: number) => `\\u${unit.toString(16).padStart(4, '0')}`;
  const text = (value: string) => {
    let out = '"';
    for (const character of value) {
      const code = character.codePointAt(0) ?? 0;
      const short: Record<string, string> = {
        '"': '\\"',
        '\\': '\\\\',
        '\n': '\\n',
        '\t': '\\t',
        '\b': '\\b',
      };
      if (short[character] !== undefined) out += short[character];
      else if (code < 0x20 || (code >= 0xd800 && code <= 0xdfff)) out += hex(code);
      else if (character === '/' && random() < 0.5) out += '\\/';
      else if (random() < 0.1)
        out += Array.from({ length: character.length }, (_, i) => hex(character.charCodeAt(i))).join('');
      else out += character;
    }
    return `${out}"`;
  };
  const write = (value: unknown): string => {
    if (typeof value === 'string') return text(value);
    if (Array.isArray(value))
      return `[${gap()}${value.map((item) => write(item)).join(`${gap()},${gap()}`)}${gap()}]`;
    if (isRecord(value)) {
      const members = Object.keys(value).map((key) => `${text(key)}${gap()}:${gap()}${write(value[key])}`);
      return `{${gap()}${members.join(`${gap()},${gap()}`)}${gap()}}`;
    }
    return JSON.stringify(value) ?? 'null';
  };
  return `${gap()}${write(value)}${gap()}`;
}

/** A seeded generator for spelledJson(): fast-check shrinks the seed, not the spelling. */
function randomFrom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

/** A record as IVS writes it, with any field replaced, removed, doubled or joined by others. */
const record: fc.Arbitrary<unknown> = fc
  .record({
    content: hostileString,
    attributes: fc.dictionary(fc.oneof(hostileString, fc.constantFrom(...PROTOTYPE_KEYS)), hostileString, {
      maxKeys: 3,
    }),
    replace: fc.option(
      fc.tuple(
        fc.constantFrom(
          'event_timestamp',
          'type',
          'payload',
          'Id',
          'SendTime',
          'Sender',
          'Attributes',
          'RequestId',
          'EventName',
          'UserId',
        ),
        hostileJson,
      ),
    ),
    event: fc.boolean(),
  })
  .map(({ content, attributes, replace, event }) => {
    const parsed: unknown = JSON.parse(line(content, attributes));
    if (!isRecord(parsed) || !isRecord(parsed.payload) || !isRecord(parsed.payload.Sender)) return parsed;
    if (event) {
      parsed.type = 'EVENT';
      parsed.payload.EventName = 'aws:DELETE_MESSAGE';
    }
    if (replace !== null) {
      const [key, value] = replace;
      const holder =
        key === 'UserId'
          ? parsed.payload.Sender
          : ['event_timestamp', 'type', 'payload'].includes(key)
            ? parsed
            : parsed.payload;
      if (value === undefined) delete holder[key];
      else holder[key] = value;
    }
    return parsed;
  });

describe('the chat log decoder in WebAssembly', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('reads the bench batch as JSON.parse does, and a regular body without JSON.parse', () => {
    const corpus = generateCorpus({
      count: 2_000,
      seed: 0x1f2e3d4c,
      minLength: 10,
      maxLength: 200,
      profaneShare: 0.1,
    });
    const event = logBatch(
      3_000,
      corpus.map((message) => message.text),
    );
    const data = isRecord(event) && isRecord(event.awslogs) ? event.awslogs.data : undefined;
    if (typeof data !== 'string') throw new Error('logBatch() made no subscription event');
    const batch = expectSameReading(gunzipSync(Buffer.from(data, 'base64')));
    expect(readChatLogEvent(event)).toStrictEqual(batch);
    expect(batch.kind === 'data' && batch.records.filter((entry) => entry.parsed.ok)).toHaveLength(3_000);

    const plain = bytesOf(
      bodyOf(['hello there', 'gg wp', 'ça va? 🎉'].map((content) => line(content, { role: 'vip' }))),
    );
    const parse = vi.spyOn(JSON, 'parse');
    const scanned = scanSubscriptionBody(plain);
    expect(parse).not.toHaveBeenCalled();
    parse.mockRestore();
    expect(scanned).toStrictEqual(readSubscriptionBodyInJs(plain));
    expect(scanned?.kind === 'data' && scanned.records.map((entry) => entry.parsed.ok)).toEqual([
      true,
      true,
      true,
    ]);
  });

  it('reads bodies spelled every way JSON allows, with any records, as JSON.parse does', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof({ arbitrary: record, weight: 4 }, { arbitrary: hostileJson, weight: 1 }), {
          maxLength: 6,
        }),
        fc.integer(),
        fc.boolean(),
        (records, seed, asText) => {
          const random = randomFrom(seed);
          // Mostly each record is its JSON text, as IVS logs it; sometimes anything at all.
          const messages = records.map((value) =>
            asText || random() < 0.9 ? spelledJson(value, random) : value,
          );
          const body = {
            ...bodyOf([]),
            logEvents: messages.map((message, index) => ({ id: `e${index}`, timestamp: index, message })),
          };
          const read = expectSameReading(Buffer.from(spelledJson(body, random)));
          expect(read.kind).toBe('data');
        },
      ),
      fuzzParameters(400),
    );
  });

  it('answers a body with broken bytes as JSON.parse does', () => {
    const valid = bytesOf(
      bodyOf([line('first "quoted" \\ message'), line('ünïcödé 🎉', { a: 'b' }), line('last')]),
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.nat(valid.length - 1),
            fc.integer({ min: 0, max: 255 }),
            fc.constantFrom('set', 'insert', 'delete'),
          ),
          { minLength: 1, maxLength: 4 },
        ),
        (edits) => {
          let bytes = Buffer.from(valid);
          for (const [at, byte, kind] of edits) {
            const index = Math.min(at, bytes.length - 1);
            if (kind === 'set') bytes[index] = byte;
            else if (kind === 'insert')
              bytes = Buffer.concat([bytes.subarray(0, index), Buffer.of(byte), bytes.subarray(index)]);
            else bytes = Buffer.concat([bytes.subarray(0, index), bytes.subarray(index + 1)]);
          }
          expectSameReading(bytes);
        },
      ),
      fuzzParameters(1_500),
    );
  });

  it('leaves to JSON.parse what is not the regular case, with the same answers', () => {
    const good = line('hi');
    // Each edit must find what it replaces, or the case would silently test the unedited text.
    const edited = (text: string, from: string | RegExp, to: string) => {
      expect(text).toMatch(from);
      return text.replace(from, to);
    };
    const body = (lines: readonly string[]) => JSON.stringify(bodyOf(lines));
    const escapedKey = edited(good, '"Content"', '"\\u0043ontent"');
    const cases: Record<string, string> = {
      'a doubled key of the body': edited(body([good]), '{', '{"owner":"999999999999",'),
      'doubled logEvents': edited(body([good]), /}$/, `,"logEvents":[]}`),
      'a control message': JSON.stringify({
        messageType: 'CONTROL_MESSAGE',
        owner: 'CloudwatchLogs',
        logGroup: '',
        logStream: '',
        logEvents: [],
      }),
      'another message type': JSON.stringify({ ...bodyOf([good]), messageType: 'OTHER' }),
      'no logStream': JSON.stringify({ ...bodyOf([good]), logStream: undefined }),
      'a number for owner': JSON.stringify({ ...bodyOf([good]), owner: 123456789012 }),
      'logEvents not a list': JSON.stringify({ ...bodyOf([]), logEvents: { 0: good } }),
      'an entry that is not an object': JSON.stringify({ ...bodyOf([good]), logEvents: [good] }),
      'an entry without a timestamp': JSON.stringify({
        ...bodyOf([]),
        logEvents: [{ id: '1', message: good }],
      }),
      'an entry with a string timestamp': JSON.stringify({
        ...bodyOf([]),
        logEvents: [{ id: '1', timestamp: '1', message: good }],
      }),
      'an entry with more fields': JSON.stringify({
        ...bodyOf([]),
        logEvents: [{ id: '1', timestamp: 1, message: good, extractedFields: { a: [1, { b: null }] } }],
      }),
      'a doubled field of an entry': edited(body([good]), '"timestamp":0', '"timestamp":0,"timestamp":1'),
      'a byte-order mark': `\uFEFF${JSON.stringify(bodyOf([good]))}`,
      'a trailing comma': edited(body([good]), /]}$/, ',]}'),
      'text after the body': `${JSON.stringify(bodyOf([good]))} x`,
      'nesting past the decoder': JSON.stringify({
        ...bodyOf([good]),
        deep: JSON.parse(`${'['.repeat(300)}${']'.repeat(300)}`),
      }),
      'numbers spelled every way': edited(
        JSON.stringify({ ...bodyOf([good]), n: [0, -0, 1.5, 1e21] }),
        '"n":[0,0,1.5,1e+21]',
        '"n":[0,-0,1.50,1E+21,-2e-3,10]',
      ),
      'numbers JSON does not allow': edited(JSON.stringify({ ...bodyOf([good]), n: 1 }), '"n":1', '"n":01'),
      'a lone surrogate escaped in a message': JSON.stringify(
        bodyOf([line('a\uD800b'), line('\uDC00'), line('\uD83D\uDE00')]),
      ),
      'a lone surrogate escaped at both levels': edited(
        body([edited(good, '"hi"', '"\\ud800"')]),
        '\\\\ud800',
        '\\ud800',
      ),
      'an escaped key in a record': JSON.stringify(bodyOf([escapedKey])),
      'an astral code point escaped as a pair': edited(
        body([line('A\uD83D\uDE00B')]),
        '😀',
        '\\ud83d\\ude00',
      ),
      'a doubled field of a record': body([edited(good, '"Content":', '"Content":"first","Content":')]),
      'a doubled attribute map': body([
        edited(good, '"Attributes":{}', '"Attributes":{"a":"1"},"Attributes":{"b":"2"}'),
      ]),
      'a doubled attribute': body([edited(good, '"Attributes":{}', '"Attributes":{"a":"1","a":"2"}')]),
      'a prototype key in attributes': body([
        edited(line('hi', { constructor: 'y', role: 'vip' }), '"constructor"', '"__proto__"'),
      ]),
      'an attribute that is not a string': body([edited(good, '"Attributes":{}', '"Attributes":{"a":1}')]),
      'a record that is a list': JSON.stringify(bodyOf(['[1,2]'])),
      'a record with text after it': JSON.stringify(bodyOf([`${good} {}`])),
      'a record that is not JSON': JSON.stringify(bodyOf([good.slice(0, -3)])),
      'a control character in a record': body([edited(good, '"hi"', '"h\ni"')]),
      'an empty list of events': JSON.stringify(bodyOf([])),
    };
    for (const [name, text] of Object.entries(cases)) {
      const bytes = Buffer.from(text);
      expect(readSubscriptionBody(bytes), name).toStrictEqual(readSubscriptionBodyInJs(bytes));
    }
    // The body-level irregularities are the reference's to read whole.
    expect(scanSubscriptionBody(Buffer.from(cases['a doubled key of the body'] ?? ''))).toBeUndefined();
    expect(scanSubscriptionBody(Buffer.from(cases['nesting past the decoder'] ?? ''))).toBeUndefined();
  });

  it('answers bytes that are not UTF-8 as the reference does, wherever they are', () => {
    const invalid = [
      [0xc0, 0x80], // overlong
      [0xc1, 0xbf],
      [0xe0, 0x80, 0x80],
      [0xe0, 0x9f, 0xbf],
      [0xed, 0xa0, 0x80], // a surrogate, encoded
      [0xed, 0xbf, 0xbf],
      [0xf0, 0x80, 0x80, 0x80],
      [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
      [0xf5, 0x80, 0x80, 0x80],
      [0xff],
      [0x80], // a lone continuation
      [0xc3], // cut short
      [0xe2, 0x82],
      [0xf0, 0x9f, 0x8e],
    ];
    const valid = [
      [0xc2, 0x80],
      [0xdf, 0xbf],
      [0xe0, 0xa0, 0x80],
      [0xed, 0x9f, 0xbf],
      [0xee, 0x80, 0x80],
      [0xf0, 0x90, 0x80, 0x80],
      [0xf4, 0x8f, 0xbf, 0xbf],
    ];
    const text = JSON.stringify({
      ...bodyOf([line('IN-CONTENT'), line('ok')]),
      owner: 'IN-OWNER',
      extra: ['IN-EXTRA'],
    });
    for (const sequence of [...invalid, ...valid]) {
      // In a message's content, in an unknown field of the body, and in the owner.
      for (const marker of ['IN-CONTENT', 'IN-EXTRA', 'IN-OWNER']) {
        const at = text.indexOf(marker);
        expect(at).toBeGreaterThan(0);
        const [before, after] = [text.slice(0, at), text.slice(at + marker.length)];
        for (const tail of [[], [0x41], [0x22]]) {
          const bytes = Buffer.concat([
            Buffer.from(before),
            Buffer.from(sequence),
            Buffer.from(tail),
            Buffer.from(after),
          ]);
          expect(
            readSubscriptionBody(bytes),
            `${Buffer.from(sequence).toString('hex')} ${marker}`,
          ).toStrictEqual(readSubscriptionBodyInJs(bytes));
        }
      }
    }
  });

  it('gives repeated contents and senders, and only those, the same string', () => {
    // Equal lengths, so only bytes tell them apart; a content that is also a sender's id; repeats far apart.
    const contents = Array.from(
      { length: 2_000 },
      (_, index) => `message ${String(index % 700).padStart(4, '0')}`,
    );
    const lines = contents.map((content, index) =>
      chatLogLine(
        index % 3 === 0 ? 'message 0001' : `user-${index % 40}`,
        new Date(Date.UTC(2026, 10, 27)),
        content,
      ),
    );
    const read = expectSameReading(bytesOf(bodyOf(lines)));
    const parsed = read.kind === 'data' ? read.records.map((entry) => entry.parsed) : [];
    expect(
      parsed.map((entry) => (entry.ok && entry.record.type === 'MESSAGE' ? entry.record.content : '')),
    ).toEqual(contents);
  });

  it('reads a body with more events than it lists through JSON.parse', () => {
    const messages = Array.from({ length: 20_001 }, () => '{}');
    const bytes = bytesOf(bodyOf(messages));
    expect(scanSubscriptionBody(bytes)).toBeUndefined();
    const read = expectSameReading(bytes);
    expect(read.kind === 'data' && read.records).toHaveLength(20_001);
  });

  it('reads the same from a subscription event as from its body', () => {
    const body = bodyOf([line('hi'), '{"not":"a record"}']);
    const event = { awslogs: { data: gzipSync(bytesOf(body)).toString('base64') } };
    expect(readChatLogEvent(event)).toStrictEqual(readSubscriptionBodyInJs(bytesOf(body)));
    expect(readChatLogEvent({ awslogs: { data: 'bm90IGd6aXA=' } })).toMatchObject({ kind: 'invalid' });
    expect(readChatLogEvent(null)).toMatchObject({ kind: 'invalid' });
  });
});
