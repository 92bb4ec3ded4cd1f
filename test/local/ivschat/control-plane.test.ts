import {
  ConflictException,
  CreateChatTokenCommand,
  CreateLoggingConfigurationCommand,
  CreateRoomCommand,
  type CreateRoomCommandInput,
  DeleteLoggingConfigurationCommand,
  DeleteMessageCommand,
  DeleteRoomCommand,
  DisconnectUserCommand,
  GetLoggingConfigurationCommand,
  GetRoomCommand,
  InternalServerException,
  IvschatClient,
  IvschatServiceException,
  ListLoggingConfigurationsCommand,
  ListRoomsCommand,
  type ListRoomsCommandInput,
  ListTagsForResourceCommand,
  paginateListRooms,
  ResourceNotFoundException,
  SendEventCommand,
  ServiceQuotaExceededException,
  TagResourceCommand,
  ThrottlingException,
  UntagResourceCommand,
  UpdateLoggingConfigurationCommand,
  UpdateRoomCommand,
  ValidationException,
} from '@aws-sdk/client-ivschat';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type ChatLogRecord,
  ChatState,
  type RoomEvent,
  type RunningServer,
} from '../../../local/ivschat/chat-state';
import { type ControlPlaneOptions, startControlPlane } from '../../../local/ivschat/control-plane';
import {
  FaultPlan,
  INTERNAL_ERROR,
  THROTTLED,
  UNAVAILABLE,
} from '../../../local/ivschat/control-plane/faults';

const START = Date.parse('2025-03-01T12:00:00.000Z');
const LAMBDA = 'arn:aws:lambda:us-east-1:123456789012:function:review-message';
const MISSING_ROOM = 'arn:aws:ivschat:us-east-1:123456789012:room/AAAAAAAAAAAA';
const MISSING_CONFIGURATION = 'arn:aws:ivschat:us-east-1:123456789012:logging-configuration/AAAAAAAAAAAA';

let nowMs: number;
let state: ChatState;
let server: RunningServer;
let client: IvschatClient;

async function start(options: ControlPlaneOptions = {}): Promise<void> {
  nowMs = START;
  state = new ChatState(undefined, undefined, () => new Date(nowMs));
  server = await startControlPlane(state, options);
  client = new IvschatClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
}

beforeEach(() => start());

afterEach(async () => {
  client.destroy();
  await server.close();
});

async function restart(options: ControlPlaneOptions): Promise<void> {
  client.destroy();
  await server.close();
  await start(options);
}

/** The rejection a command gives, to assert its class and members. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected the call to be rejected'),
    (error: unknown) => error,
  );
}

async function validationFields(promise: Promise<unknown>): Promise<string[]> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(ValidationException);
  if (!(error instanceof ValidationException)) return [];
  expect(error.reason).toBe('FIELD_VALIDATION_FAILED');
  return (error.fieldList ?? []).map((field) => field.name ?? '');
}

async function createRoom(input: CreateRoomCommandInput = {}) {
  const room = await client.send(new CreateRoomCommand(input));
  return room.arn ?? expect.fail('CreateRoom returned no arn');
}

async function createLoggingConfiguration(name = 'logs') {
  const configuration = await client.send(
    new CreateLoggingConfigurationCommand({
      name,
      destinationConfiguration: { cloudWatchLogs: { logGroupName: '/ivs/chat' } },
    }),
  );
  return configuration.arn ?? expect.fail('CreateLoggingConfiguration returned no arn');
}

function recordRoomEvents(): RoomEvent[] {
  const events: RoomEvent[] = [];
  state.onRoomEvent((event) => events.push(event));
  return events;
}

function recordChatLog(): ChatLogRecord[] {
  const records: ChatLogRecord[] = [];
  state.onChatLog((record) => records.push(record));
  return records;
}

describe('rooms', () => {
  it('creates a room with the service defaults and reads it back', async () => {
    const created = await client.send(new CreateRoomCommand({ name: 'lobby', tags: { stage: 'dev' } }));
    expect(created).toMatchObject({
      name: 'lobby',
      maximumMessageLength: 500,
      maximumMessageRatePerSecond: 10,
      tags: { stage: 'dev' },
      loggingConfigurationIdentifiers: [],
      createTime: new Date(START),
      updateTime: new Date(START),
    });
    expect(created.arn).toMatch(/^arn:aws:ivschat:us-east-1:123456789012:room\/[a-zA-Z0-9]{12}$/);
    expect(created.arn?.endsWith(`/${created.id}`)).toBe(true);

    const read = await client.send(new GetRoomCommand({ identifier: created.arn }));
    expect(read).toMatchObject({ arn: created.arn, name: 'lobby', maximumMessageLength: 500 });
  });

  it('updates only the members given, and an empty handler uri detaches the handler', async () => {
    const arn = await createRoom({
      name: 'lobby',
      messageReviewHandler: { uri: LAMBDA, fallbackResult: 'DENY' },
    });
    nowMs += 1000;
    const updated = await client.send(
      new UpdateRoomCommand({ identifier: arn, maximumMessageLength: 200, maximumMessageRatePerSecond: 100 }),
    );
    expect(updated).toMatchObject({
      name: 'lobby',
      maximumMessageLength: 200,
      maximumMessageRatePerSecond: 100,
      messageReviewHandler: { uri: LAMBDA, fallbackResult: 'DENY' },
      updateTime: new Date(START + 1000),
      createTime: new Date(START),
    });

    const detached = await client.send(
      new UpdateRoomCommand({ identifier: arn, messageReviewHandler: { uri: '' } }),
    );
    expect(detached.messageReviewHandler).toEqual({ fallbackResult: 'ALLOW' });
    expect(state.rooms.get(arn)?.messageReviewHandler?.uri).toBeUndefined();
  });

  it('deletes a room; then every room operation on it is ResourceNotFound', async () => {
    const arn = await createRoom();
    await client.send(new DeleteRoomCommand({ identifier: arn }));
    expect(state.rooms.size).toBe(0);

    for (const call of [
      client.send(new GetRoomCommand({ identifier: arn })),
      client.send(new UpdateRoomCommand({ identifier: arn, name: 'x' })),
      client.send(new DeleteRoomCommand({ identifier: arn })),
    ]) {
      const error = await rejectionOf(call);
      expect(error).toBeInstanceOf(ResourceNotFoundException);
      expect(error).toMatchObject({
        resourceId: arn,
        resourceType: 'ROOM',
        $metadata: { httpStatusCode: 404 },
      });
    }
  });

  it('rejects every member outside the model, all in one fieldList', async () => {
    const fields = await validationFields(
      client.send(
        new CreateRoomCommand({
          name: 'has spaces',
          maximumMessageLength: 501,
          maximumMessageRatePerSecond: 0,
          messageReviewHandler: {
            uri: 'arn:aws:sqs:us-east-1:123456789012:queue',
            fallbackResult: 'MAYBE' as 'DENY',
          },
        }),
      ),
    );
    expect(fields).toEqual([
      'name',
      'maximumMessageRatePerSecond',
      'maximumMessageLength',
      'messageReviewHandler.uri',
      'messageReviewHandler.fallbackResult',
    ]);
    expect(await validationFields(client.send(new CreateRoomCommand({ maximumMessageLength: 0 })))).toEqual([
      'maximumMessageLength',
    ]);
    expect(
      await validationFields(client.send(new CreateRoomCommand({ maximumMessageRatePerSecond: 101 }))),
    ).toEqual(['maximumMessageRatePerSecond']);
    expect(await validationFields(client.send(new CreateRoomCommand({ name: 'n'.repeat(129) })))).toEqual([
      'name',
    ]);
    expect(state.rooms.size).toBe(0);
  });

  it('bounds tags: at most 50, keys 1–128 and values up to 256 characters', async () => {
    const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, index) => [`k${index}`, 'v']));
    expect(await validationFields(client.send(new CreateRoomCommand({ tags: tooMany })))).toEqual(['tags']);
    const fields = await validationFields(
      client.send(new CreateRoomCommand({ tags: { ['k'.repeat(129)]: 'v', ok: 'v'.repeat(257) } })),
    );
    expect(fields).toEqual([`tags.${'k'.repeat(129)}`, 'tags.ok']);
  });

  it('takes identifiers only as ARNs', async () => {
    const arn = await createRoom();
    const id = arn.split('/')[1];
    expect(await validationFields(client.send(new GetRoomCommand({ identifier: id })))).toEqual([
      'identifier',
    ]);
    expect(await validationFields(client.send(new GetRoomCommand({ identifier: '' })))).toEqual([
      'identifier',
    ]);
  });

  it('attaches up to three logging configurations; a fourth is a ValidationException (list length 0–3)', async () => {
    const configurations = [
      await createLoggingConfiguration('a'),
      await createLoggingConfiguration('b'),
      await createLoggingConfiguration('c'),
      await createLoggingConfiguration('d'),
    ];
    const arn = await createRoom({ loggingConfigurationIdentifiers: configurations.slice(0, 3) });
    expect(state.rooms.get(arn)?.loggingConfigurationIdentifiers).toEqual(configurations.slice(0, 3));

    const fields = await validationFields(
      client.send(
        new UpdateRoomCommand({ identifier: arn, loggingConfigurationIdentifiers: configurations }),
      ),
    );
    expect(fields).toEqual(['loggingConfigurationIdentifiers']);
    expect(
      await validationFields(
        client.send(new CreateRoomCommand({ loggingConfigurationIdentifiers: ['nope'] })),
      ),
    ).toEqual(['loggingConfigurationIdentifiers[0]']);
  });

  it('refuses a logging configuration that does not exist (404) or is in a transition (409)', async () => {
    const missing = await rejectionOf(
      client.send(new CreateRoomCommand({ loggingConfigurationIdentifiers: [MISSING_CONFIGURATION] })),
    );
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect(missing).toMatchObject({
      resourceId: MISSING_CONFIGURATION,
      resourceType: 'LOGGING_CONFIGURATION',
    });

    const configuration = await createLoggingConfiguration();
    const stored = state.loggingConfigurations.get(configuration);
    if (stored) stored.state = 'UPDATING';
    const busy = await rejectionOf(
      client.send(new CreateRoomCommand({ loggingConfigurationIdentifiers: [configuration] })),
    );
    expect(busy).toBeInstanceOf(ConflictException);
    expect(state.rooms.size).toBe(0);
  });
});

describe('ListRooms', () => {
  async function roomsAt(names: readonly string[]): Promise<string[]> {
    const arns: string[] = [];
    for (const name of names) {
      arns.push(await createRoom({ name }));
      nowMs += 1000;
    }
    return arns;
  }

  it('lists newest update first and pages with an opaque token', async () => {
    const [first, second, third, fourth, fifth] = await roomsAt(['a', 'b', 'c', 'd', 'e']);
    await client.send(new UpdateRoomCommand({ identifier: second, name: 'b2' }));

    const page1 = await client.send(new ListRoomsCommand({ maxResults: 2 }));
    expect(page1.rooms?.map((room) => room.arn)).toEqual([second, fifth]);
    expect(page1.rooms?.[0]).not.toHaveProperty('maximumMessageLength');
    expect(page1.nextToken).toEqual(expect.any(String));

    const page2 = await client.send(new ListRoomsCommand({ maxResults: 2, nextToken: page1.nextToken }));
    expect(page2.rooms?.map((room) => room.arn)).toEqual([fourth, third]);
    const page3 = await client.send(new ListRoomsCommand({ maxResults: 2, nextToken: page2.nextToken }));
    expect(page3.rooms?.map((room) => room.arn)).toEqual([first]);
    expect(page3.nextToken).toBeUndefined();

    const all: string[] = [];
    for await (const page of paginateListRooms({ client, pageSize: 3 }, {})) {
      all.push(...(page.rooms ?? []).map((room) => room.arn ?? ''));
    }
    expect(all).toEqual([second, fifth, fourth, third, first]);
  });

  it('filters by name, review handler and logging configuration', async () => {
    const configuration = await createLoggingConfiguration();
    const reviewed = await createRoom({ name: 'main', messageReviewHandler: { uri: LAMBDA } });
    const logged = await createRoom({ name: 'main', loggingConfigurationIdentifiers: [configuration] });
    await createRoom({ name: 'other' });

    const arnsOf = async (input: ListRoomsCommandInput) =>
      ((await client.send(new ListRoomsCommand(input))).rooms ?? []).map((room) => room.arn).sort();
    expect(await arnsOf({ name: 'main' })).toEqual([reviewed, logged].sort());
    expect(await arnsOf({ messageReviewHandlerUri: LAMBDA })).toEqual([reviewed]);
    expect(await arnsOf({ loggingConfigurationIdentifier: configuration })).toEqual([logged]);
    expect(await arnsOf({ name: 'none' })).toEqual([]);

    const missing = await rejectionOf(
      client.send(new ListRoomsCommand({ loggingConfigurationIdentifier: MISSING_CONFIGURATION })),
    );
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
  });

  it('validates maxResults, nextToken and the filters', async () => {
    expect(await validationFields(client.send(new ListRoomsCommand({ maxResults: 0 })))).toEqual([
      'maxResults',
    ]);
    expect(await validationFields(client.send(new ListRoomsCommand({ maxResults: 51 })))).toEqual([
      'maxResults',
    ]);
    expect(await validationFields(client.send(new ListRoomsCommand({ nextToken: 'not-a-token' })))).toEqual([
      'nextToken',
    ]);
    expect(
      await validationFields(client.send(new ListRoomsCommand({ nextToken: 'x'.repeat(1025) }))),
    ).toEqual(['nextToken']);
    expect(
      await validationFields(
        client.send(
          new ListRoomsCommand({ messageReviewHandlerUri: 'lambda', loggingConfigurationIdentifier: 'x' }),
        ),
      ),
    ).toEqual(['messageReviewHandlerUri', 'loggingConfigurationIdentifier']);
  });
});

describe('logging configurations', () => {
  it('creates one per destination kind, reads, updates and lists them', async () => {
    const s3 = await client.send(
      new CreateLoggingConfigurationCommand({
        name: 's3',
        destinationConfiguration: { s3: { bucketName: 'chat-logs' } },
        tags: { team: 'mod' },
      }),
    );
    expect(s3).toMatchObject({ state: 'ACTIVE', tags: { team: 'mod' }, createTime: new Date(START) });
    expect(s3.arn).toMatch(/:logging-configuration\/[a-zA-Z0-9]{12}$/);
    nowMs += 1000;
    const firehose = await client.send(
      new CreateLoggingConfigurationCommand({
        destinationConfiguration: { firehose: { deliveryStreamName: 'chat' } },
      }),
    );
    nowMs += 1000;
    const cloudWatch = await createLoggingConfiguration();

    const read = await client.send(new GetLoggingConfigurationCommand({ identifier: s3.arn }));
    expect(read.destinationConfiguration).toEqual({ s3: { bucketName: 'chat-logs' } });

    nowMs += 1000;
    const updated = await client.send(
      new UpdateLoggingConfigurationCommand({
        identifier: s3.arn,
        name: 'renamed',
        destinationConfiguration: { cloudWatchLogs: { logGroupName: '/aws/ivs#chat_logs.1' } },
      }),
    );
    expect(updated).toMatchObject({
      name: 'renamed',
      destinationConfiguration: { cloudWatchLogs: { logGroupName: '/aws/ivs#chat_logs.1' } },
      updateTime: new Date(START + 3000),
    });

    const page1 = await client.send(new ListLoggingConfigurationsCommand({ maxResults: 2 }));
    expect(page1.loggingConfigurations?.map((item) => item.arn)).toEqual([s3.arn, cloudWatch]);
    const page2 = await client.send(new ListLoggingConfigurationsCommand({ nextToken: page1.nextToken }));
    expect(page2.loggingConfigurations?.map((item) => item.arn)).toEqual([firehose.arn]);
    expect(page2.nextToken).toBeUndefined();
    expect(
      await validationFields(client.send(new ListLoggingConfigurationsCommand({ nextToken: 'bogus' }))),
    ).toEqual(['nextToken']);
  });

  it('needs exactly one destination, each with its name pattern', async () => {
    const none = await validationFields(
      client.send(new CreateLoggingConfigurationCommand({ destinationConfiguration: undefined })),
    );
    expect(none).toEqual(['destinationConfiguration']);
    const two = await validationFields(
      client.send(
        new CreateLoggingConfigurationCommand({
          destinationConfiguration: {
            s3: { bucketName: 'abc' },
            firehose: { deliveryStreamName: 'x' },
          } as never,
        }),
      ),
    );
    expect(two).toEqual(['destinationConfiguration']);
    for (const [destinationConfiguration, field] of [
      [{ s3: { bucketName: 'Upper_Case' } }, 'destinationConfiguration.s3.bucketName'],
      [{ s3: { bucketName: 'ab' } }, 'destinationConfiguration.s3.bucketName'],
      [
        { cloudWatchLogs: { logGroupName: 'has space' } },
        'destinationConfiguration.cloudWatchLogs.logGroupName',
      ],
      [
        { firehose: { deliveryStreamName: 'x'.repeat(65) } },
        'destinationConfiguration.firehose.deliveryStreamName',
      ],
    ] as const) {
      expect(
        await validationFields(
          client.send(new CreateLoggingConfigurationCommand({ destinationConfiguration })),
        ),
      ).toEqual([field]);
    }
    expect(state.loggingConfigurations.size).toBe(0);
  });

  it('cannot delete a configuration a room uses (ConflictException) until the room lets go of it', async () => {
    const configuration = await createLoggingConfiguration();
    const room = await createRoom({ loggingConfigurationIdentifiers: [configuration] });

    const error = await rejectionOf(
      client.send(new DeleteLoggingConfigurationCommand({ identifier: configuration })),
    );
    expect(error).toBeInstanceOf(ConflictException);
    expect(error).toMatchObject({ resourceId: configuration, $metadata: { httpStatusCode: 409 } });

    await client.send(new UpdateRoomCommand({ identifier: room, loggingConfigurationIdentifiers: [] }));
    const deleted = await client.send(new DeleteLoggingConfigurationCommand({ identifier: configuration }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    expect(
      await rejectionOf(client.send(new GetLoggingConfigurationCommand({ identifier: configuration }))),
    ).toBeInstanceOf(ResourceNotFoundException);
  });

  it('answers a missing configuration with ResourceNotFound and one in a transition with Conflict', async () => {
    for (const call of [
      client.send(new GetLoggingConfigurationCommand({ identifier: MISSING_CONFIGURATION })),
      client.send(new UpdateLoggingConfigurationCommand({ identifier: MISSING_CONFIGURATION, name: 'x' })),
      client.send(new DeleteLoggingConfigurationCommand({ identifier: MISSING_CONFIGURATION })),
    ]) {
      expect(await rejectionOf(call)).toBeInstanceOf(ResourceNotFoundException);
    }
    const configuration = await createLoggingConfiguration();
    const stored = state.loggingConfigurations.get(configuration);
    if (stored) stored.state = 'CREATING';
    expect(
      await rejectionOf(
        client.send(new UpdateLoggingConfigurationCommand({ identifier: configuration, name: 'x' })),
      ),
    ).toBeInstanceOf(ConflictException);
  });

  it('stops at 10 configurations per account with ServiceQuotaExceededException (402)', async () => {
    for (let index = 0; index < 10; index++) await createLoggingConfiguration(`c${index}`);
    const error = await rejectionOf(
      client.send(
        new CreateLoggingConfigurationCommand({
          destinationConfiguration: { s3: { bucketName: 'eleventh' } },
        }),
      ),
    );
    expect(error).toBeInstanceOf(ServiceQuotaExceededException);
    expect(error).toMatchObject({ limit: 10, $metadata: { httpStatusCode: 402 } });
  });
});

describe('CreateChatToken', () => {
  it('issues a single-use token for the room with the session the request asks for', async () => {
    const room = await createRoom();
    const response = await client.send(
      new CreateChatTokenCommand({
        roomIdentifier: room,
        userId: 'viewer-1',
        capabilities: ['SEND_MESSAGE', 'DELETE_MESSAGE'],
        sessionDurationInMinutes: 30,
        attributes: { role: 'moderator' },
      }),
    );
    expect(response.tokenExpirationTime).toEqual(new Date(START + 60 * 60_000));
    expect(response.sessionExpirationTime).toEqual(new Date(START + 30 * 60_000));
    const token = state.tokens.get(response.token ?? '');
    expect(token).toMatchObject({
      roomArn: room,
      userId: 'viewer-1',
      capabilities: ['SEND_MESSAGE', 'DELETE_MESSAGE'],
      sessionDurationInMinutes: 30,
      attributes: { role: 'moderator' },
    });
    expect(response.token).toMatch(/^[A-Za-z0-9_-]+$/);

    const defaults = await client.send(
      new CreateChatTokenCommand({ roomIdentifier: room, userId: 'viewer-2' }),
    );
    expect(defaults.sessionExpirationTime).toEqual(new Date(START + 60 * 60_000));
    expect(state.tokens.get(defaults.token ?? '')?.capabilities).toEqual([]);
  });

  it('validates the user id, capabilities, session length and the 1 KB of attributes', async () => {
    const room = await createRoom();
    const fields = await validationFields(
      client.send(
        new CreateChatTokenCommand({
          roomIdentifier: room,
          userId: '',
          capabilities: ['SEND_MESSAGE', 'BAN_USER' as 'SEND_MESSAGE'],
          sessionDurationInMinutes: 181,
          attributes: { big: 'x'.repeat(1022) },
        }),
      ),
    );
    expect(fields).toEqual(['userId', 'capabilities[1]', 'sessionDurationInMinutes', 'attributes']);
    expect(
      await validationFields(
        client.send(
          new CreateChatTokenCommand({ roomIdentifier: room, userId: 'u', sessionDurationInMinutes: 0 }),
        ),
      ),
    ).toEqual(['sessionDurationInMinutes']);
    await client.send(
      new CreateChatTokenCommand({
        roomIdentifier: room,
        userId: 'u',
        attributes: { big: 'x'.repeat(1021) },
      }),
    );
  });

  it('needs the room to exist', async () => {
    const error = await rejectionOf(
      client.send(new CreateChatTokenCommand({ roomIdentifier: MISSING_ROOM, userId: 'u' })),
    );
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(state.tokens.size).toBe(0);
  });
});

describe('DeleteMessage, DisconnectUser and SendEvent', () => {
  it('DeleteMessage sends aws:DELETE_MESSAGE with MessageId and MessageID to the room, and logs it', async () => {
    const room = await createRoom();
    const events = recordRoomEvents();
    const records = recordChatLog();
    const response = await client.send(
      new DeleteMessageCommand({ roomIdentifier: room, id: 'AbCdEf123456', reason: 'spam' }),
    );

    expect(events).toEqual([
      {
        kind: 'event',
        roomArn: room,
        id: response.id,
        eventName: 'aws:DELETE_MESSAGE',
        attributes: { MessageId: 'AbCdEf123456', MessageID: 'AbCdEf123456', Reason: 'spam' },
        sendTime: new Date(START),
      },
    ]);
    expect(records).toEqual([
      {
        roomArn: room,
        record: {
          event_timestamp: '2025-03-01T12:00:00.000Z',
          type: 'EVENT',
          version: '1.0',
          payload: {
            Type: 'EVENT',
            Id: response.id,
            RequestId: '',
            EventName: 'aws:DELETE_MESSAGE',
            Attributes: { MessageId: 'AbCdEf123456', MessageID: 'AbCdEf123456', Reason: 'spam' },
            SendTime: '2025-03-01T12:00:00.000000000Z',
          },
        },
      },
    ]);
  });

  it('DeleteMessage validates the message id and reason, and needs the room', async () => {
    const room = await createRoom();
    const events = recordRoomEvents();
    expect(
      await validationFields(
        client.send(new DeleteMessageCommand({ roomIdentifier: room, id: 'short', reason: 'r'.repeat(257) })),
      ),
    ).toEqual(['id', 'reason']);
    expect(
      await validationFields(
        client.send(new DeleteMessageCommand({ roomIdentifier: room, id: 'AbCdEf12345!' })),
      ),
    ).toEqual(['id']);
    expect(
      await validationFields(
        client.send(new DeleteMessageCommand({ roomIdentifier: room, id: 'AbCdEf123456', reason: '' })),
      ),
    ).toEqual(['reason']);
    expect(
      await rejectionOf(
        client.send(new DeleteMessageCommand({ roomIdentifier: MISSING_ROOM, id: 'AbCdEf123456' })),
      ),
    ).toBeInstanceOf(ResourceNotFoundException);
    expect(events).toEqual([]);
  });

  it('DisconnectUser disconnects the user from the room, and logs an aws:DISCONNECT_USER event', async () => {
    const room = await createRoom();
    const events = recordRoomEvents();
    const records = recordChatLog();
    const response = await client.send(
      new DisconnectUserCommand({ roomIdentifier: room, userId: 'troll', reason: 'ban' }),
    );

    expect(response.$metadata.httpStatusCode).toBe(200);
    expect(events).toEqual([{ kind: 'disconnect', roomArn: room, userId: 'troll', reason: 'ban' }]);
    expect(records).toHaveLength(1);
    expect(records[0]?.record).toMatchObject({
      type: 'EVENT',
      payload: { EventName: 'aws:DISCONNECT_USER', Attributes: { UserId: 'troll', Reason: 'ban' } },
    });

    expect(
      await validationFields(
        client.send(new DisconnectUserCommand({ roomIdentifier: room, userId: 'u'.repeat(129) })),
      ),
    ).toEqual(['userId']);
    expect(
      await rejectionOf(
        client.send(new DisconnectUserCommand({ roomIdentifier: MISSING_ROOM, userId: 'troll' })),
      ),
    ).toBeInstanceOf(ResourceNotFoundException);
  });

  it('SendEvent sends the named event with its attributes to the room, and logs it', async () => {
    const room = await createRoom();
    const events = recordRoomEvents();
    const records = recordChatLog();
    const response = await client.send(
      new SendEventCommand({ roomIdentifier: room, eventName: 'app:WARN', attributes: { UserId: 'troll' } }),
    );

    expect(response.id).toMatch(/^[a-zA-Z0-9]{12}$/);
    expect(events).toEqual([
      {
        kind: 'event',
        roomArn: room,
        id: response.id,
        eventName: 'app:WARN',
        attributes: { UserId: 'troll' },
        sendTime: new Date(START),
      },
    ]);
    expect(records[0]?.record).toMatchObject({
      type: 'EVENT',
      payload: { Id: response.id, EventName: 'app:WARN', Attributes: { UserId: 'troll' } },
    });
  });

  it('SendEvent validates the event name (1–100) and the 1 KB of attributes', async () => {
    const room = await createRoom();
    expect(
      await validationFields(
        client.send(
          new SendEventCommand({
            roomIdentifier: room,
            eventName: 'e'.repeat(101),
            attributes: { k: 'v'.repeat(1024) },
          }),
        ),
      ),
    ).toEqual(['eventName', 'attributes']);
    expect(
      await validationFields(client.send(new SendEventCommand({ roomIdentifier: room, eventName: '' }))),
    ).toEqual(['eventName']);
    expect(
      await rejectionOf(client.send(new SendEventCommand({ roomIdentifier: MISSING_ROOM, eventName: 'e' }))),
    ).toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('tags', () => {
  it('tags, lists and untags rooms and logging configurations', async () => {
    const room = await createRoom({ tags: { a: '1' } });
    const configuration = await createLoggingConfiguration();
    for (const resourceArn of [room, configuration]) {
      await client.send(new TagResourceCommand({ resourceArn, tags: { b: '2', c: '' } }));
      await client.send(new UntagResourceCommand({ resourceArn, tagKeys: ['c', 'not-there'] }));
    }
    expect((await client.send(new ListTagsForResourceCommand({ resourceArn: room }))).tags).toEqual({
      a: '1',
      b: '2',
    });
    expect((await client.send(new ListTagsForResourceCommand({ resourceArn: configuration }))).tags).toEqual({
      b: '2',
    });
    const read = await client.send(new GetRoomCommand({ identifier: room }));
    expect(read.tags).toEqual({ a: '1', b: '2' });
  });

  it('keeps a tag named __proto__ as an ordinary tag', async () => {
    const room = await createRoom();
    // Sent raw: the SDK's own map serializer drops such a key.
    const response = await fetch(`${server.url}/tags/${encodeURIComponent(room)}`, {
      method: 'POST',
      body: '{"tags":{"__proto__":"x"}}',
    });
    expect(response.status).toBe(200);
    expect(Object.entries(state.rooms.get(room)?.tags ?? {})).toEqual([['__proto__', 'x']]);
  });

  it('answers an unknown resource with ResourceNotFound and a malformed ARN with ValidationException', async () => {
    for (const call of [
      client.send(new ListTagsForResourceCommand({ resourceArn: MISSING_ROOM })),
      client.send(new TagResourceCommand({ resourceArn: MISSING_ROOM, tags: { a: '1' } })),
      client.send(new UntagResourceCommand({ resourceArn: MISSING_CONFIGURATION, tagKeys: ['a'] })),
    ]) {
      expect(await rejectionOf(call)).toBeInstanceOf(ResourceNotFoundException);
    }
    expect(
      await validationFields(
        client.send(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:s3:::bucket' })),
      ),
    ).toEqual(['resourceArn']);
  });

  it('keeps a resource at 50 tags and validates keys and values', async () => {
    const room = await createRoom({
      tags: Object.fromEntries(Array.from({ length: 50 }, (_, index) => [`k${index}`, 'v'])),
    });
    expect(
      await validationFields(
        client.send(new TagResourceCommand({ resourceArn: room, tags: { one: 'more' } })),
      ),
    ).toEqual(['tags']);
    await client.send(new TagResourceCommand({ resourceArn: room, tags: { k0: 'replaced' } }));
    expect(
      await validationFields(
        client.send(new TagResourceCommand({ resourceArn: room, tags: { k1: 'v'.repeat(257) } })),
      ),
    ).toEqual(['tags.k1']);
    expect(
      await validationFields(
        client.send(new UntagResourceCommand({ resourceArn: room, tagKeys: ['k'.repeat(129)] })),
      ),
    ).toEqual(['tagKeys[0]']);
  });
});

describe('the HTTP surface', () => {
  async function post(path: string, body: string) {
    const response = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    return {
      status: response.status,
      type: response.headers.get('x-amzn-errortype'),
      body: await response.json(),
    };
  }

  it('answers malformed JSON, a non-object body and an oversized body with ValidationException', async () => {
    expect(await post('/GetRoom', '{"identifier":')).toMatchObject({
      status: 400,
      type: 'ValidationException',
      body: { reason: 'OTHER', message: expect.stringContaining('not valid JSON') },
    });
    expect(await post('/GetRoom', '["a"]')).toMatchObject({
      status: 400,
      body: { message: 'The request body must be a JSON object' },
    });
    expect(await post('/SendEvent', JSON.stringify({ eventName: 'x'.repeat(70_000) }))).toMatchObject({
      status: 400,
      body: { message: expect.stringContaining('larger than 65536 bytes') },
    });
  });

  it('answers an unknown operation or method with ValidationException reason UNKNOWN_OPERATION', async () => {
    for (const [method, path] of [
      ['POST', '/BanUser'],
      ['GET', '/CreateRoom'],
      ['POST', '/TagResource'],
      ['PUT', '/tags/arn%3Aaws%3Aivschat%3Aus-east-1%3A123456789012%3Aroom%2Fabc'],
      ['GET', '/tags/'],
    ] as const) {
      const response = await fetch(`${server.url}${path}`, { method });
      expect(response.status).toBe(400);
      expect(response.headers.get('x-amzn-errortype')).toBe('ValidationException');
      expect(await response.json()).toMatchObject({ reason: 'UNKNOWN_OPERATION' });
    }
  });

  it('turns an unexpected failure into InternalServerException instead of crashing', async () => {
    state.newId = () => {
      throw new Error('id source broken');
    };
    const error = await rejectionOf(client.send(new CreateRoomCommand({})));
    expect(error).toBeInstanceOf(InternalServerException);
    expect(error).toMatchObject({
      message: 'Internal error: id source broken',
      $metadata: { httpStatusCode: 500 },
    });
  });

  it('never answers AccessDeniedException: requests are not authenticated, any credentials do', async () => {
    const anonymous = new IvschatClient({
      endpoint: server.url,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'someone-else', secretAccessKey: 'wrong' },
    });
    await expect(anonymous.send(new ListRoomsCommand({}))).resolves.toMatchObject({ rooms: [] });
    anonymous.destroy();
  });
});

describe('rate quotas', () => {
  it('are off by default', async () => {
    for (let index = 0; index < 20; index++) await client.send(new ListRoomsCommand({}));
  });

  it('answer ThrottlingException (429) past an operation’s TPS when enforced, and refill with time', async () => {
    await restart({ enforceQuotas: true });
    const room = await createRoom();
    for (let index = 0; index < 5; index++) await client.send(new GetRoomCommand({ identifier: room }));
    const error = await rejectionOf(client.send(new GetRoomCommand({ identifier: room })));
    expect(error).toBeInstanceOf(ThrottlingException);
    expect(error).toMatchObject({ limit: 5, $metadata: { httpStatusCode: 429 } });

    // Each operation has its own bucket.
    await client.send(new ListRoomsCommand({}));
    nowMs += 200;
    await client.send(new GetRoomCommand({ identifier: room }));
    expect(await rejectionOf(client.send(new GetRoomCommand({ identifier: room })))).toBeInstanceOf(
      ThrottlingException,
    );
    nowMs += 1000;
    for (let index = 0; index < 5; index++) await client.send(new GetRoomCommand({ identifier: room }));
  });

  it('throttle SendEvent at 100 TPS', async () => {
    await restart({ enforceQuotas: true });
    const room = await createRoom();
    const sends = Array.from({ length: 101 }, () =>
      client.send(new SendEventCommand({ roomIdentifier: room, eventName: 'tick' })).then(
        () => 'sent',
        (error: unknown) => (error instanceof ThrottlingException ? 'throttled' : 'failed'),
      ),
    );
    const outcomes = await Promise.all(sends);
    expect(outcomes.filter((outcome) => outcome === 'sent')).toHaveLength(100);
    expect(outcomes.filter((outcome) => outcome === 'throttled')).toHaveLength(1);
  });
});

describe('injected faults', () => {
  const deleteMessage = (room: string, id = 'AbCdEf123456') =>
    client.send(new DeleteMessageCommand({ roomIdentifier: room, id }));

  it('answer the next requests of one operation with the error asked for, then let them through', async () => {
    const faults = new FaultPlan().inject('GetRoom', INTERNAL_ERROR, 2);
    await restart({ faults });
    const room = await createRoom();
    for (let attempt = 0; attempt < 2; attempt++) {
      const error = await rejectionOf(client.send(new GetRoomCommand({ identifier: room })));
      expect(error).toBeInstanceOf(InternalServerException);
      expect(error).toMatchObject({ $fault: 'server', $metadata: { httpStatusCode: 500 } });
    }
    await expect(client.send(new GetRoomCommand({ identifier: room }))).resolves.toMatchObject({ arn: room });
    expect(faults.served('GetRoom')).toBe(2);
    expect(faults.served('CreateRoom')).toBe(0);
  });

  it('throttle, or answer a 503 the model does not name, until cleared', async () => {
    const faults = new FaultPlan().inject('SendEvent', THROTTLED).inject('DeleteMessage', UNAVAILABLE);
    await restart({ faults });
    const room = await createRoom();
    const events = recordRoomEvents();
    for (let attempt = 0; attempt < 3; attempt++) {
      const error = await rejectionOf(
        client.send(new SendEventCommand({ roomIdentifier: room, eventName: 'tick' })),
      );
      expect(error).toBeInstanceOf(ThrottlingException);
      expect(error).toMatchObject({ $metadata: { httpStatusCode: 429 } });
    }
    const unavailable = await rejectionOf(deleteMessage(room));
    expect(unavailable).toBeInstanceOf(IvschatServiceException);
    expect(unavailable).toMatchObject({
      name: 'ServiceUnavailableException',
      $metadata: { httpStatusCode: 503 },
    });
    expect(events).toEqual([]);

    faults.clear('SendEvent');
    await client.send(new SendEventCommand({ roomIdentifier: room, eventName: 'tick' }));
    expect(await rejectionOf(deleteMessage(room))).toMatchObject({ name: 'ServiceUnavailableException' });
    faults.clear();
    await deleteMessage(room);
    expect(events.map((event) => event.kind === 'event' && event.eventName)).toEqual([
      'tick',
      'aws:DELETE_MESSAGE',
    ]);
    expect(faults.served('SendEvent')).toBe(3);
    expect(faults.served('DeleteMessage')).toBe(2);
  });

  it('answer slowly, carrying the operation out even when the caller gave up waiting', async () => {
    const faults = new FaultPlan().inject('DeleteMessage', { kind: 'delay', ms: 400 }, 1);
    await restart({ faults });
    const room = await createRoom();
    const events = recordRoomEvents();
    const impatient = new IvschatClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
      requestHandler: { requestTimeout: 50, throwOnRequestTimeout: true },
    });
    try {
      const error = await rejectionOf(
        impatient.send(new DeleteMessageCommand({ roomIdentifier: room, id: 'AbCdEf123456' })),
      );
      expect(error).toMatchObject({ name: 'TimeoutError' });
      expect(events).toEqual([]);
      await vi.waitFor(() => expect(events).toHaveLength(1));
      // A caller that waits gets the answer.
      faults.inject('DeleteMessage', { kind: 'delay', ms: 100 }, 1);
      await expect(deleteMessage(room, 'ZyXwVu654321')).resolves.toMatchObject({ id: expect.any(String) });
      expect(events).toHaveLength(2);
    } finally {
      impatient.destroy();
    }
  });

  it('drop the connection without an answer, carrying nothing out', async () => {
    const faults = new FaultPlan().inject('DisconnectUser', { kind: 'drop' }, 1);
    await restart({ faults });
    const room = await createRoom();
    const events = recordRoomEvents();
    const error = await rejectionOf(
      client.send(new DisconnectUserCommand({ roomIdentifier: room, userId: 'u', reason: 'r' })),
    );
    expect(error).not.toBeInstanceOf(IvschatServiceException);
    expect(events).toEqual([]);
    await client.send(new DisconnectUserCommand({ roomIdentifier: room, userId: 'u', reason: 'r' }));
    expect(events).toHaveLength(1);
  });

  it('refuse a plan that applies to no request', () => {
    expect(() => new FaultPlan().inject('GetRoom', THROTTLED, 0)).toThrow(RangeError);
  });
});
