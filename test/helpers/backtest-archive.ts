import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * A small archive of IVS chat logs whose verdicts are known under config/default-policy.yaml (baseline) and
 * config/policies/strict.yaml (candidate): two rooms in IVS's S3 layout (one object corrupt, one line not JSON,
 * one record invalid, one event, one message logged already masked), and this project's Firehose archive (no room,
 * a redacted record, a masked one, a processing-failed object).
 */

export const ACCOUNT = '123456789012';
export const ROOM_A = 'roomAAAA1111';
export const ROOM_B = 'roomBBBB2222';
const SECOND = '2026-11-27T18:00:00';

export function messageRecord(
  id: string,
  content: string,
  {
    senderAttributes = {},
    attributes = {},
    second = 0,
  }: {
    senderAttributes?: Record<string, string>;
    attributes?: Record<string, string>;
    second?: number;
  } = {},
): Record<string, unknown> {
  const time = `${SECOND.slice(0, -2)}${String(second).padStart(2, '0')}`;
  return {
    event_timestamp: `${time}.000Z`,
    type: 'MESSAGE',
    version: '1.0',
    payload: {
      Type: 'MESSAGE',
      Id: id,
      RequestId: '',
      Attributes: attributes,
      Content: content,
      SendTime: `${time}.123456789Z`,
      Sender: { UserId: `user-${id}`, Attributes: senderAttributes },
    },
  };
}

export function eventRecord(
  id: string,
  eventName = 'app:hello',
  attributes: Record<string, string> = {},
): Record<string, unknown> {
  return {
    event_timestamp: `${SECOND}.500Z`,
    type: 'EVENT',
    version: '1.0',
    payload: {
      Type: 'EVENT',
      Id: id,
      RequestId: '',
      EventName: eventName,
      Attributes: attributes,
      SendTime: `${SECOND}.500000000Z`,
    },
  };
}

const lines = (records: readonly (Record<string, unknown> | string)[]) =>
  `${records.map((record) => (typeof record === 'string' ? record : JSON.stringify(record))).join('\n')}\n`;

export function roomKey(roomId: string, suffix: string): string {
  return [
    'AWSLogs',
    ACCOUNT,
    'IVSChatLogs',
    '1.0',
    'us-east-1',
    `room_${roomId}`,
    '2026/11/27/18',
    `${ACCOUNT}_IVSChatLogs_1.0_us-east-1_room_${roomId}_20261127T1800Z_${suffix}.log.gz`,
  ].join('/');
}

export const FIREHOSE_KEY = 'firehose-archive/2026/11/27/18/chat-archive-1-2026-11-27-18-00-00-0a1b2c3d';
export const PROCESSING_FAILED_KEY = 'firehose-archive/processing-failed/2026/11/27/18/0a1b2c3d.json';
export const CORRUPT_KEY = roomKey(ROOM_A, 'bbbb2222');

/** The archive's objects, by key. */
export function knownArchive(): Map<string, Buffer> {
  const objects = new Map<string, Buffer>();
  objects.set(
    roomKey(ROOM_A, 'aaaa1111'),
    gzipSync(
      lines([
        messageRecord('a-clean', 'hello there'),
        messageRecord('a-link', 'see example.com now', { second: 1 }),
        messageRecord('a-damn', 'damn it', { second: 2 }),
        messageRecord('a-shit', 'oh shit', { second: 3 }),
        'this line is not JSON',
        eventRecord('a-event'),
        messageRecord('a-moderator', 'what the fuck', { senderAttributes: { role: 'moderator' }, second: 4 }),
        messageRecord('a-shout', 'HELLO EVERYONE HOW ARE YOU ALL DOING', { second: 5 }),
      ]),
    ),
  );
  objects.set(CORRUPT_KEY, Buffer.from('not gzip at all'));
  objects.set(
    roomKey(ROOM_B, 'cccc3333'),
    gzipSync(
      lines([
        messageRecord('b-slur', 'you are a faggot', { second: 6 }),
        messageRecord('b-link', 'check example.org', { second: 7 }),
        { event_timestamp: `${SECOND}.000Z`, type: 'MESSAGE', version: '1.0', payload: { Content: 'no id' } },
        // Masked at review: IVS logs what it delivered.
        messageRecord('b-masked', 'oh ****', { attributes: { 'moderation.result': 'masked' }, second: 8 }),
        messageRecord('b-link2', 'visit example.net', { second: 9 }),
      ]),
    ),
  );
  objects.set(
    FIREHOSE_KEY,
    Buffer.from(
      lines([
        {
          ...messageRecord('f-denied', '', { second: 10 }),
          moderation: { verdict: 'deny', ruleIds: ['slurs'], deleted: false, redacted: true },
        },
        {
          ...messageRecord('f-masked', 'what the ****', { second: 11 }),
          moderation: { verdict: 'mask', ruleIds: ['profanity'], deleted: false, redacted: true },
        },
        {
          ...messageRecord('f-crap', 'crap', { second: 12 }),
          moderation: { verdict: 'allow', ruleIds: [], deleted: false, redacted: false },
        },
      ]),
    ),
  );
  objects.set(PROCESSING_FAILED_KEY, Buffer.from('{"attemptsMade":1,"rawData":"eA=="}\n'));
  return objects;
}

/** Writes objects into a fresh folder laid out like the bucket; resolves to the folder. */
export async function writeArchiveFolder(objects: ReadonlyMap<string, Buffer>): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), 'backtest-archive-'));
  for (const [key, bytes] of objects) {
    const file = path.join(folder, ...key.split('/'));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, bytes);
  }
  return folder;
}
