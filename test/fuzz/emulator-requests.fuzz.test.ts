import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ChatState } from '../../local/ivschat/chat-state.js';
import {
  ACTIONS,
  attributesBytes,
  codePointLength,
  MAX_FRAME_BYTES,
  readDeleteMessage,
  readDisconnectUser,
  readEnvelope,
  readSendMessage,
} from '../../local/ivschat/client-requests.js';
import { ControlPlaneError } from '../../local/ivschat/control-plane/errors.js';
import { OPERATIONS } from '../../local/ivschat/control-plane/operations.js';
import type { OperationName } from '../../local/ivschat/control-plane/quotas.js';
import { routeOf } from '../../local/ivschat/control-plane.js';
import { readReviewReply } from '../../local/ivschat/message-review.js';
import { ERROR_MESSAGES } from '../../local/ivschat/messaging-frames.js';
import { LocalRoomsError, readLocalRooms } from '../../local/local-rooms.js';
import { parseTokenRequest, RequestError } from '../../local/web-server.js';
import { isRecord, isStringMap } from '../../shared/guards.js';
import {
  fuzzParameters,
  garbage,
  hostileJson,
  hostileString,
  jsonText,
  nearValid,
  PROTOTYPE_KEYS,
  yamlText,
} from '../helpers/fuzz.js';

/**
 * The local IVS Chat emulator's own parsers: WebSocket frames from clients, control-plane requests from the SDK,
 * review handlers' replies and the web page's token requests. A bad request is answered with the error IVS would
 * give, never with a crash (which the control plane would report as a 500).
 */

const ERROR_CODES = Object.keys(ERROR_MESSAGES).map(Number);
const attributes = fc.dictionary(
  fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom(...PROTOTYPE_KEYS)),
  fc.string({ maxLength: 30 }),
  {
    maxKeys: 5,
  },
);
const frame = fc.oneof(
  fc.record(
    {
      Action: fc.constant('SEND_MESSAGE'),
      RequestId: fc.uuid(),
      Content: fc.string({ unit: 'binary', minLength: 1, maxLength: 500 }),
      Attributes: attributes,
    },
    { requiredKeys: ['Action', 'Content'] },
  ),
  fc.record(
    {
      Action: fc.constant('DELETE_MESSAGE'),
      RequestId: fc.uuid(),
      Id: fc.stringMatching(/^[a-zA-Z0-9]{12}$/),
      Reason: fc.string({ maxLength: 256 }),
    },
    { requiredKeys: ['Action', 'Id'] },
  ),
  fc.record(
    {
      Action: fc.constant('DISCONNECT_USER'),
      RequestId: fc.uuid(),
      UserId: fc.string({ minLength: 1, maxLength: 128 }),
      Reason: fc.string({ maxLength: 256 }),
    },
    { requiredKeys: ['Action', 'UserId'] },
  ),
);

function expectProblem(problem: { readonly code: number; readonly message: string }): void {
  expect(ERROR_CODES).toContain(problem.code);
  expect(problem.message).toMatch(/\S/);
}

describe('fuzz: messaging frames from clients', () => {
  const text = fc.oneof(
    hostileString,
    fc.json(),
    nearValid(frame).map((value) => jsonText(value) ?? ''),
    frame.map((value) => JSON.stringify(value)),
    fc
      .integer({ min: MAX_FRAME_BYTES - 20, max: MAX_FRAME_BYTES + 100 })
      .map((size) => JSON.stringify({ Action: 'SEND_MESSAGE', Content: 'x'.repeat(size) })),
  );

  it('reads any frame as an action and its fields, or the IVS error code to answer', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 500 }), (input, maximumMessageLength) => {
        const envelope = readEnvelope(input);
        if (!envelope.ok) {
          expectProblem(envelope.problem);
          expect(typeof envelope.requestId).toBe('string');
          return;
        }
        expect(ACTIONS).toContain(envelope.value.action);
        const { body } = envelope.value;
        const read =
          envelope.value.action === 'SEND_MESSAGE'
            ? readSendMessage(body, maximumMessageLength)
            : envelope.value.action === 'DELETE_MESSAGE'
              ? readDeleteMessage(body)
              : readDisconnectUser(body);
        if (!read.ok) expectProblem(read.problem);
        else if ('content' in read.value) {
          const { value } = read;
          expect(codePointLength(value.content)).toBeLessThanOrEqual(maximumMessageLength);
          expect(attributesBytes(value.attributes)).toBeLessThanOrEqual(1024);
          expect(Object.getPrototypeOf(value.attributes)).toBe(Object.prototype);
        }
      }),
      fuzzParameters(70),
    );
  });

  it('reads a SendMessage as the official client writes it back to its content and attributes', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', minLength: 1, maxLength: 500 }),
        attributes.filter((map) => attributesBytes(map) <= 1024),
        (content, sent) => {
          const envelope = readEnvelope(
            JSON.stringify({ Action: 'SEND_MESSAGE', RequestId: 'r', Content: content, Attributes: sent }),
          );
          expect(envelope.ok).toBe(true);
          if (!envelope.ok) return;
          expect(readSendMessage(envelope.value.body, 500)).toEqual({
            ok: true,
            value: { content, attributes: sent },
          });
        },
      ),
      fuzzParameters(30),
    );
  });
});

describe('fuzz: control-plane requests', () => {
  const ROOM_ID = 'g1H2I3j4k5L6';
  const fresh = () => {
    const state = new ChatState('123456789012', 'us-east-1', () => new Date('2026-11-27T18:00:00Z'));
    const room = state.putRoom(ROOM_ID);
    return { state, roomArn: room.arn };
  };
  const { roomArn } = fresh();
  const lambda = 'arn:aws:lambda:us-east-1:123456789012:function:review';
  const lcArn = 'arn:aws:ivschat:us-east-1:123456789012:logging-configuration/AbCdEf123456';
  const settings = {
    name: 'room-1',
    maximumMessageLength: 200,
    maximumMessageRatePerSecond: 5,
    messageReviewHandler: { uri: lambda, fallbackResult: 'DENY' },
    loggingConfigurationIdentifiers: [lcArn],
  };
  const samples: Readonly<Record<OperationName, Record<string, unknown>>> = {
    CreateRoom: { ...settings, tags: { team: 'a' } },
    GetRoom: { identifier: roomArn },
    UpdateRoom: { identifier: roomArn, ...settings },
    DeleteRoom: { identifier: roomArn },
    ListRooms: {
      maxResults: 10,
      name: 'room',
      messageReviewHandlerUri: lambda,
      loggingConfigurationIdentifier: lcArn,
    },
    CreateLoggingConfiguration: {
      name: 'logs',
      destinationConfiguration: { cloudWatchLogs: { logGroupName: 'chat' } },
      tags: {},
    },
    GetLoggingConfiguration: { identifier: lcArn },
    UpdateLoggingConfiguration: {
      identifier: lcArn,
      name: 'logs',
      destinationConfiguration: { s3: { bucketName: 'chat-logs' } },
    },
    DeleteLoggingConfiguration: { identifier: lcArn },
    ListLoggingConfigurations: { maxResults: 5, nextToken: 'eyJ1cGRhdGVUaW1lIjowLCJhcm4iOiIifQ' },
    CreateChatToken: {
      roomIdentifier: roomArn,
      userId: 'viewer',
      capabilities: ['SEND_MESSAGE'],
      sessionDurationInMinutes: 60,
      attributes: { role: 'viewer' },
    },
    DeleteMessage: { roomIdentifier: roomArn, id: 'AbCdEf123456', reason: 'spam' },
    DisconnectUser: { roomIdentifier: roomArn, userId: 'troll', reason: 'spam' },
    SendEvent: { roomIdentifier: roomArn, eventName: 'app:hello', attributes: { a: 'b' } },
    TagResource: { resourceArn: roomArn, tags: { team: 'b' } },
    UntagResource: { resourceArn: roomArn, tagKeys: ['team'] },
    ListTagsForResource: { resourceArn: roomArn },
  };
  const operation = fc.constantFrom(
    ...Object.keys(OPERATIONS).filter((name): name is OperationName => Object.hasOwn(samples, name)),
  );

  it('answers any operation’s members, however broken, or throws the error IVS would answer', () => {
    fc.assert(
      fc.property(
        operation.chain((name) =>
          fc.tuple(fc.constant(name), fc.oneof(nearValid(fc.constant(samples[name])), garbage)),
        ),
        ([name, members]) => {
          const { state } = fresh();
          try {
            const result = OPERATIONS[name](state, isRecord(members) ? members : {});
            expect(result.status).toBeGreaterThanOrEqual(200);
            expect(result.status).toBeLessThan(300);
          } catch (error) {
            expect(error).toBeInstanceOf(ControlPlaneError);
          }
        },
      ),
      fuzzParameters(60),
    );
  });

  it('routes any method and path to an operation, or refuses it with a ValidationException', () => {
    const path = fc.oneof(
      hostileString,
      fc.webPath(),
      fc.constantFrom(
        '//',
        '//a:b',
        '/tags/%',
        '/tags/',
        '/tags/a/b',
        '/CreateRoom',
        '/__proto__',
        '/constructor',
        '/tags/%E0%A4%A',
      ),
      fc.webUrl().map((url) => url.replace(/^https?:\/\/[^/]*/, '')),
    );
    fc.assert(
      fc.property(fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', ''), path, (method, url) => {
        try {
          const route = routeOf(method, url);
          expect(Object.hasOwn(OPERATIONS, route.operation)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(ControlPlaneError);
          if (error instanceof ControlPlaneError) expect(error.status).toBe(400);
        }
      }),
      fuzzParameters(50),
    );
  });

  it('regression: a request target the URL parser refuses is a ValidationException, not a 500', () => {
    for (const target of ['//', '//a:b']) {
      expect(() => routeOf('POST', target)).toThrow(ControlPlaneError);
    }
  });
});

describe('fuzz: review handlers’ replies and the web page’s token requests', () => {
  const reply = fc.record(
    {
      ReviewResult: fc.constantFrom('ALLOW', 'DENY'),
      Content: fc.string({ unit: 'binary', maxLength: 500 }),
      Attributes: attributes,
    },
    { requiredKeys: ['ReviewResult'] },
  );

  it('reads any reply as a verdict IVS would deliver, or a reason to apply the fallback', () => {
    fc.assert(
      fc.property(
        fc.oneof(garbage, nearValid(reply), reply),
        fc.integer({ min: 1, max: 500 }),
        (value, maximumMessageLength) => {
          const verdict = readReviewReply(value, maximumMessageLength);
          if (typeof verdict === 'string') expect(verdict).toMatch(/\S/);
          else if (verdict.result === 'DENY')
            expect(verdict.reason === undefined || typeof verdict.reason === 'string').toBe(true);
          else {
            expect(codePointLength(verdict.content)).toBeLessThanOrEqual(maximumMessageLength);
            expect(isStringMap(verdict.attributes) && attributesBytes(verdict.attributes) <= 1024).toBe(true);
          }
        },
      ),
      fuzzParameters(50),
    );
  });

  it('reads any token request body as a user and role, or a 400', () => {
    const body = fc.record(
      {
        userId: fc.oneof(fc.stringMatching(/^[a-z0-9_.-]{1,64}$/), hostileString),
        role: fc.constantFrom('viewer', 'moderator'),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(garbage, hostileJson, nearValid(body), body), (value) => {
        try {
          const request = parseTokenRequest(value);
          expect(['viewer', 'moderator']).toContain(request.role);
          expect(request.userId).toMatch(/^[\p{L}\p{N}_.-]{1,64}$/u);
        } catch (error) {
          expect(error).toBeInstanceOf(RequestError);
          if (error instanceof RequestError) expect(error.status).toBe(400);
        }
      }),
      fuzzParameters(50),
    );
  });
});

describe('fuzz: the local stack’s rooms file', () => {
  const LOCAL_ROOMS = readFileSync(path.resolve(__dirname, '../../config/local-rooms.yaml'), 'utf8');
  const text = fc.oneof(
    hostileString,
    fc
      .tuple(nearValid(fc.constant<unknown>(parse(LOCAL_ROOMS))), fc.boolean())
      .map(([document, flow]) => yamlText(document, flow)),
    fc.tuple(fc.nat(), hostileString).map(([at, insert]) => {
      const cut = at % LOCAL_ROOMS.length;
      return `${LOCAL_ROOMS.slice(0, cut)}${insert}${LOCAL_ROOMS.slice(cut)}`;
    }),
  );

  it('reads any text as rooms and logging configurations, or a LocalRoomsError naming the place', () => {
    fc.assert(
      fc.property(text, (source) => {
        try {
          const config = readLocalRooms(source, 'local-rooms.yaml');
          for (const room of config.rooms) {
            expect(room.maximumMessageLength).toBeLessThanOrEqual(500);
            expect(room.loggingConfigurations.length).toBeLessThanOrEqual(3);
          }
        } catch (error) {
          expect(error).toBeInstanceOf(LocalRoomsError);
          if (error instanceof Error) expect(error.message.startsWith('local-rooms.yaml: ')).toBe(true);
        }
      }),
      fuzzParameters(40),
    );
  });
});
