import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { CloudWatchLogsDecodedData, CloudWatchLogsEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LambdaHandler } from '../../../local/ivschat/chat-logging.js';
import {
  allOf,
  ChatLogDeliveryError,
  checkTransformationReply,
  logGroupFolder,
  startChatLogging,
} from '../../../local/ivschat/chat-logging.js';
import type { LoggingDestination } from '../../../local/ivschat/chat-state.js';
import { ChatState } from '../../../local/ivschat/chat-state.js';
import { isRecord } from '../../../shared/guards.js';

const NOW = new Date('2024-03-05T07:08:09.123Z');

function newState(): ChatState {
  return new ChatState('111122223333', 'eu-west-1', () => NOW);
}

function addLogging(state: ChatState, destination: LoggingDestination): string {
  const id = state.newId();
  const arn = state.arn('logging-configuration', id);
  state.loggingConfigurations.set(arn, {
    arn,
    id,
    createTime: NOW,
    updateTime: NOW,
    destinationConfiguration: destination,
    state: 'ACTIVE',
    tags: {},
  });
  return arn;
}

function addRoom(state: ChatState, loggingConfigurationIdentifiers: string[]): string {
  const id = state.newId();
  const arn = state.arn('room', id);
  state.rooms.set(arn, {
    arn,
    id,
    createTime: NOW,
    updateTime: NOW,
    maximumMessageLength: 500,
    maximumMessageRatePerSecond: 10,
    loggingConfigurationIdentifiers,
    tags: {},
  });
  return id;
}

function messageRecord(content: string, id = 'AbCdEf123456') {
  return {
    event_timestamp: '2024-03-05T07:08:01.500Z',
    type: 'MESSAGE',
    version: '1.0',
    payload: {
      Type: 'MESSAGE',
      Id: id,
      RequestId: '',
      Content: content,
      Attributes: {},
      SendTime: '2024-03-05T07:08:01.499123456Z',
      Sender: { UserId: 'alice', Attributes: {} },
    },
  };
}

function publish(state: ChatState, roomId: string, record: Record<string, unknown>): void {
  state.publishChatLog({ roomArn: state.arn('room', roomId), record });
}

/** What a consumer does with the envelope (§2.4): base64 → gunzip → JSON. */
function decodeSubscriptionEvent(event: CloudWatchLogsEvent): unknown {
  return JSON.parse(gunzipSync(Buffer.from(event.awslogs.data, 'base64')).toString('utf8'));
}

async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(directory, path.join(entry.parentPath, entry.name)))
    .sort();
}

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'chat-logging-'));
});
afterEach(async () => {
  vi.useRealTimers();
  await rm(directory, { recursive: true, force: true });
});

describe('startChatLogging: CloudWatch Logs', () => {
  it('batches a room’s records into one gzip+base64 subscription event on its log stream', async () => {
    const state = newState();
    const roomId = addRoom(state, [addLogging(state, { cloudWatchLogs: { logGroupName: '/ivs/chat' } })]);
    const events: CloudWatchLogsEvent[] = [];
    const logging = startChatLogging(state, { cloudWatchLogs: async (event) => void events.push(event) });

    publish(state, roomId, messageRecord('one', 'Message00001'));
    publish(state, roomId, messageRecord('two', 'Message00002'));
    await logging.close();

    expect(events).toHaveLength(1);
    expect(Object.keys(events[0] ?? {})).toEqual(['awslogs']);
    const decoded = decodeSubscriptionEvent(events[0] ?? { awslogs: { data: '' } });
    expect(decoded).toMatchObject({
      messageType: 'DATA_MESSAGE',
      owner: '111122223333',
      logGroup: '/ivs/chat',
      logStream: `aws/IVSChatLogs/1.0/room_${roomId}`,
      subscriptionFilters: [expect.any(String)],
    });
    const logEvents = isRecord(decoded) && Array.isArray(decoded.logEvents) ? decoded.logEvents : [];
    expect(logEvents).toHaveLength(2);
    expect(logEvents[0]).toEqual({
      id: expect.stringMatching(/^\d{56}$/),
      timestamp: Date.parse('2024-03-05T07:08:01.500Z'),
      message: JSON.stringify(messageRecord('one', 'Message00001')),
    });
    expect(new Set(logEvents.map((event) => (isRecord(event) ? event.id : undefined))).size).toBe(2);
  });

  it('waits the configured delay, then delivers on its own; separate rooms get separate events', async () => {
    vi.useFakeTimers();
    const state = newState();
    const logGroup = addLogging(state, { cloudWatchLogs: { logGroupName: 'chat' } });
    const lobby = addRoom(state, [logGroup]);
    const stage = addRoom(state, [logGroup]);
    const streams: string[] = [];
    const logging = startChatLogging(
      state,
      { cloudWatchLogs: async (_event, decoded) => void streams.push(decoded.logStream) },
      { delayMs: 2_000 },
    );

    publish(state, lobby, messageRecord('hi'));
    publish(state, stage, messageRecord('yo'));
    await vi.advanceTimersByTimeAsync(1_999);
    expect(streams).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(streams.sort()).toEqual(
      [`aws/IVSChatLogs/1.0/room_${lobby}`, `aws/IVSChatLogs/1.0/room_${stage}`].sort(),
    );
    await logging.close();
  });

  it('delivers a full batch at once', async () => {
    const state = newState();
    const roomId = addRoom(state, [addLogging(state, { cloudWatchLogs: { logGroupName: 'chat' } })]);
    const sizes: number[] = [];
    const logging = startChatLogging(
      state,
      { cloudWatchLogs: async (_event, decoded) => void sizes.push(decoded.logEvents.length) },
      { delayMs: 60_000, maxBatchRecords: 2 },
    );
    for (const content of ['a', 'b', 'c']) publish(state, roomId, messageRecord(content));
    await logging.close();
    expect(sizes).toEqual([2, 1]);
  });

  it('logs nothing for rooms without logging, unknown rooms or configurations that no longer exist', async () => {
    const state = newState();
    const plain = addRoom(state, []);
    const dangling = addRoom(state, [state.arn('logging-configuration', 'Gone00000000')]);
    const sink = vi.fn(async () => undefined);
    const logging = startChatLogging(state, { cloudWatchLogs: sink });
    publish(state, plain, messageRecord('a'));
    publish(state, dangling, messageRecord('b'));
    state.publishChatLog({ roomArn: state.arn('room', 'NoSuchRoom00'), record: messageRecord('c') });
    await logging.close();
    expect(sink).not.toHaveBeenCalled();
  });

  it('writes each record on a line of <folder>/<log group>/<log stream>.log', async () => {
    const state = newState();
    const roomId = addRoom(state, [addLogging(state, { cloudWatchLogs: { logGroupName: '/ivs/chat' } })]);
    const logging = startChatLogging(state, { cloudWatchLogs: logGroupFolder(directory) });
    publish(state, roomId, messageRecord('one'));
    await logging.flush();
    publish(state, roomId, messageRecord('two'));
    await logging.close();
    const file = path.join(directory, '_ivs_chat', `aws_IVSChatLogs_1.0_room_${roomId}.log`);
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line))).toEqual([messageRecord('one'), messageRecord('two')]);
  });

  it('retries a failing consumer as Lambda does, then surfaces a clear error; other sinks still get it', async () => {
    const state = newState();
    const roomId = addRoom(state, [addLogging(state, { cloudWatchLogs: { logGroupName: 'chat' } })]);
    const consumer = vi.fn(async (_event: CloudWatchLogsEvent, _decoded: CloudWatchLogsDecodedData) => {
      throw new Error('consumer down');
    });
    const onError = vi.fn();
    const logging = startChatLogging(
      state,
      { cloudWatchLogs: allOf(logGroupFolder(directory), consumer) },
      { onError },
    );
    publish(state, roomId, messageRecord('kept'));
    const flushed = logging.flush();
    await expect(flushed).rejects.toThrow(ChatLogDeliveryError);
    await expect(flushed).rejects.toThrow('chat logging to log group chat: failed 3 times: consumer down');
    expect(consumer).toHaveBeenCalledTimes(3);
    expect(onError).toHaveBeenCalledOnce();
    expect(await filesUnder(directory)).toEqual([`chat/aws_IVSChatLogs_1.0_room_${roomId}.log`]);
    // The log group holds the record once: only the subscription was retried.
    const written = await readFile(
      path.join(directory, 'chat', `aws_IVSChatLogs_1.0_room_${roomId}.log`),
      'utf8',
    );
    expect(written.trimEnd().split('\n')).toHaveLength(1);
    await expect(logging.close()).resolves.toBeUndefined();
  });
});

describe('startChatLogging: Firehose', () => {
  function firehoseSetup(transform?: LambdaHandler) {
    const state = newState();
    const roomId = addRoom(state, [addLogging(state, { firehose: { deliveryStreamName: 'chat-stream' } })]);
    const logging = startChatLogging(state, {
      firehose: { directory, ...(transform && { transformation: () => transform }) },
    });
    return { state, roomId, logging };
  }

  it('sends a transformation batch and writes Ok records on, skipping Dropped ones', async () => {
    const batches: unknown[] = [];
    const transform: LambdaHandler = async (event) => {
      batches.push(event);
      const records = isRecord(event) && Array.isArray(event.records) ? event.records.filter(isRecord) : [];
      return {
        records: records.map(({ recordId, data }) => {
          const text = Buffer.from(String(data), 'base64').toString('utf8');
          return text.includes('drop me')
            ? { recordId, result: 'Dropped', data: '' }
            : { recordId, result: 'Ok', data: Buffer.from(text.toUpperCase()).toString('base64') };
        }),
      };
    };
    const { state, roomId, logging } = firehoseSetup(transform);
    publish(state, roomId, messageRecord('keep me'));
    publish(state, roomId, messageRecord('drop me'));
    await logging.close();

    expect(batches).toEqual([
      {
        invocationId: expect.any(String),
        deliveryStreamArn: 'arn:aws:firehose:eu-west-1:111122223333:deliverystream/chat-stream',
        region: 'eu-west-1',
        records: [
          {
            recordId: expect.any(String),
            approximateArrivalTimestamp: NOW.getTime(),
            data: expect.any(String),
          },
          {
            recordId: expect.any(String),
            approximateArrivalTimestamp: NOW.getTime(),
            data: expect.any(String),
          },
        ],
      },
    ]);
    const first =
      isRecord(batches[0]) && Array.isArray(batches[0].records) ? batches[0].records[0] : undefined;
    const data = isRecord(first) ? String(first.data) : '';
    expect(JSON.parse(Buffer.from(data, 'base64').toString('utf8'))).toEqual(messageRecord('keep me'));

    const files = await filesUnder(directory);
    expect(files).toEqual([
      expect.stringMatching(/^chat-stream\/2024\/03\/05\/07\/chat-stream-1-2024-03-05-07-08-09-/),
    ]);
    const written = await readFile(path.join(directory, files[0] ?? ''), 'utf8');
    expect(written).toContain('KEEP ME');
    expect(written).not.toContain('DROP ME');
  });

  it('passes records through unchanged when the stream has no transformation', async () => {
    const { state, roomId, logging } = firehoseSetup();
    publish(state, roomId, messageRecord('plain'));
    await logging.close();
    const [file] = await filesUnder(directory);
    const text = await readFile(path.join(directory, file ?? ''), 'utf8');
    expect(JSON.parse(text)).toEqual(messageRecord('plain'));
  });

  it.each([
    ['no records array', () => ({}), 'expected an object with a records array'],
    ['a record left out', () => ({ records: [] }), '1 of 1 records not answered'],
    [
      'an unknown recordId',
      () => ({ records: [{ recordId: 'x', result: 'Ok', data: '' }] }),
      'was not in the batch',
    ],
    [
      'an unknown result',
      (id: string) => ({ records: [{ recordId: id, result: 'OK', data: '' }] }),
      'result must be',
    ],
    [
      'data that is not base64',
      (id: string) => ({ records: [{ recordId: id, result: 'Ok', data: '{}' }] }),
      'base64',
    ],
    ['data missing', (id: string) => ({ records: [{ recordId: id, result: 'Dropped' }] }), 'base64'],
  ])(
    'refuses a reply with %s, surfaces the error and keeps the records in processing-failed',
    async (_name, reply, problem) => {
      const transform: LambdaHandler = async (event) => {
        const record = isRecord(event) && Array.isArray(event.records) ? event.records[0] : undefined;
        return reply(isRecord(record) ? String(record.recordId) : '');
      };
      const { state, roomId, logging } = firehoseSetup(transform);
      publish(state, roomId, messageRecord('precious'));

      await expect(logging.flush()).rejects.toThrow(
        `chat logging to delivery stream chat-stream: invalid transformation reply: `,
      );
      const files = await filesUnder(directory);
      expect(files).toEqual([
        expect.stringMatching(/^chat-stream\/processing-failed\/2024\/03\/05\/07\/.+\.json$/),
      ]);
      const failed = JSON.parse(await readFile(path.join(directory, files[0] ?? ''), 'utf8'));
      expect(failed).toMatchObject({
        errorCode: 'Lambda.InvalidOutput',
        errorMessage: expect.stringContaining(problem),
      });
      expect(JSON.parse(Buffer.from(failed.rawData, 'base64').toString('utf8'))).toEqual(
        messageRecord('precious'),
      );
      await logging.close();
    },
  );

  it('keeps ProcessingFailed records in processing-failed and writes the Ok ones on, with no error', async () => {
    const transform: LambdaHandler = async (event) => {
      const records = isRecord(event) && Array.isArray(event.records) ? event.records.filter(isRecord) : [];
      return {
        records: records.map(({ recordId, data }, index) =>
          index === 0 ? { recordId, result: 'ProcessingFailed', data: '' } : { recordId, result: 'Ok', data },
        ),
      };
    };
    const { state, roomId, logging } = firehoseSetup(transform);
    publish(state, roomId, messageRecord('unreadable'));
    publish(state, roomId, messageRecord('fine'));
    await logging.close();

    const files = await filesUnder(directory);
    expect(files).toHaveLength(2);
    const failedFile = files.find((file) => file.includes('processing-failed')) ?? '';
    const failed = JSON.parse(await readFile(path.join(directory, failedFile), 'utf8'));
    expect(failed.errorCode).toBe('Lambda.ProcessingFailedStatus');
    expect(JSON.parse(Buffer.from(failed.rawData, 'base64').toString('utf8'))).toEqual(
      messageRecord('unreadable'),
    );
    const okFile = files.find((file) => !file.includes('processing-failed')) ?? '';
    expect(JSON.parse(await readFile(path.join(directory, okFile), 'utf8'))).toEqual(messageRecord('fine'));
  });

  it('keeps a throwing transformation’s batch in processing-failed after Firehose’s retries', async () => {
    let calls = 0;
    const transform: LambdaHandler = async () => {
      calls++;
      throw new Error('boom');
    };
    const { state, roomId, logging } = firehoseSetup(transform);
    publish(state, roomId, messageRecord('x'));
    await expect(logging.flush()).rejects.toThrow('failed 4 times: boom');
    expect(calls).toBe(4);
    const files = await filesUnder(directory);
    expect(files).toEqual([expect.stringContaining('chat-stream/processing-failed/')]);
    await logging.close();
  });
});

describe('checkTransformationReply', () => {
  it('accepts every record answered once with a known result and base64 data', () => {
    const reply = {
      records: [
        { recordId: 'a', result: 'Ok', data: 'aGk=' },
        { recordId: 'b', result: 'ProcessingFailed', data: '' },
      ],
    };
    expect(checkTransformationReply(reply, [{ recordId: 'a' }, { recordId: 'b' }])).toEqual(reply.records);
  });

  it('refuses a record answered twice', () => {
    const reply = { records: [1, 2].map(() => ({ recordId: 'a', result: 'Ok', data: '' })) };
    expect(checkTransformationReply(reply, [{ recordId: 'a' }])).toBe(
      'records[1].recordId "a" is answered twice',
    );
  });

  it.each([null, 'text', [], { records: 'no' }, { records: [null] }])('never throws on %j', (reply) => {
    expect(typeof checkTransformationReply(reply, [{ recordId: 'a' }])).toBe('string');
  });
});

describe('startChatLogging: S3', () => {
  it('writes gzip NDJSON objects under AWSLogs/<account>/IVSChatLogs/1.0/<region>/room_<id>/<yyyy>/<mm>/<dd>/<hh>/', async () => {
    const state = newState();
    const roomId = addRoom(state, [addLogging(state, { s3: { bucketName: 'chat-archive' } })]);
    const logging = startChatLogging(state, { s3: { directory } });
    publish(state, roomId, messageRecord('one'));
    publish(state, roomId, messageRecord('two'));
    await logging.close();

    const files = await filesUnder(directory);
    expect(files).toHaveLength(1);
    const prefix = `chat-archive/AWSLogs/111122223333/IVSChatLogs/1.0/eu-west-1/room_${roomId}/2024/03/05/07/`;
    expect(files[0]).toMatch(
      new RegExp(
        `^${prefix}111122223333_IVSChatLogs_1\\.0_eu-west-1_room_${roomId}_20240305T0708Z_[0-9a-f]{8}\\.log\\.gz$`,
      ),
    );
    const text = gunzipSync(await readFile(path.join(directory, files[0] ?? ''))).toString('utf8');
    expect(
      text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([messageRecord('one'), messageRecord('two')]);
  });

  it('sends one room’s records to each of its destinations', async () => {
    const state = newState();
    const roomId = addRoom(state, [
      addLogging(state, { s3: { bucketName: 'archive' } }),
      addLogging(state, { cloudWatchLogs: { logGroupName: 'chat' } }),
    ]);
    const sink = vi.fn(async () => undefined);
    const logging = startChatLogging(state, { s3: { directory }, cloudWatchLogs: sink });
    publish(state, roomId, messageRecord('both'));
    await logging.close();
    expect(sink).toHaveBeenCalledOnce();
    expect(await filesUnder(directory)).toHaveLength(1);
  });
});
