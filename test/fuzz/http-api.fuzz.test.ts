import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRecord } from '../../shared/guards.js';
import { readHttpRequest } from '../../shared/http/http-api-event.js';
import { CAPABILITIES, parseChatTokenRequest } from '../../shared/moderation/chat-token-request.js';
import type { ModeratorCommandKind } from '../../shared/moderation/moderator-actions.js';
import {
  MAX_TIMEOUT_SECONDS,
  MODERATOR_COMMANDS,
  parseModeratorCommand,
  planModeratorAction,
} from '../../shared/moderation/moderator-actions.js';
import {
  fuzzParameters,
  garbage,
  hostileJson,
  hostileString,
  jsonText,
  nearValid,
  PROTOTYPE_KEYS,
} from '../helpers/fuzz.js';
import { loadEvent } from '../helpers/load-event.js';

/**
 * The HTTP API: the API Gateway event, then the JSON bodies of the token and moderator APIs. Whatever a caller
 * sends is a request or a 400 with its problems, never a thrown error (which API Gateway answers with a 500).
 */

const ROOM_ARN = /^arn:aws:ivschat:[a-z0-9-]+:[0-9]+:room\/[a-zA-Z0-9-]+$/;
const roomArn = fc
  .tuple(
    fc.constantFrom('us-east-1', 'eu-west-2'),
    fc.stringMatching(/^[0-9]{12}$/),
    fc.stringMatching(/^[a-zA-Z0-9-]{1,20}$/),
  )
  .map(([region, account, id]) => `arn:aws:ivschat:${region}:${account}:room/${id}`);
const codePoints = (min: number, max: number) =>
  fc.string({ unit: 'binary', minLength: min, maxLength: max });
const samples = ['moderator-api/ban', 'moderator-api/audit', 'issue-chat-token/viewer'].map((name) => {
  const [folder = '', scenario = ''] = name.split('/');
  return loadEvent(folder, scenario);
});

const tokenBody = fc.record(
  {
    roomArn,
    userId: codePoints(1, 128),
    capabilities: fc.subarray([...CAPABILITIES]),
    sessionDurationInMinutes: fc.integer({ min: 1, max: 180 }),
    attributes: fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), fc.string({ maxLength: 40 }), {
      maxKeys: 8,
    }),
  },
  { requiredKeys: ['roomArn', 'userId'] },
);

/** Reasons a moderator need not give. */
const DEFAULT_REASONS: Partial<Record<ModeratorCommandKind, string>> = {
  unban: 'lifted',
  approve: 'approved',
  reject: 'rejected',
};
const byMessage = (kind: ModeratorCommandKind) =>
  kind === 'delete' || kind === 'approve' || kind === 'reject';

/** A valid body for each action; the reason left out only where a default stands in. */
function commandBody(kind: ModeratorCommandKind) {
  const model: Record<string, fc.Arbitrary<unknown>> = { roomArn, reason: codePoints(1, 256) };
  if (byMessage(kind)) model.messageId = fc.stringMatching(/^[a-zA-Z0-9]{12}$/);
  else model.userId = codePoints(1, 128);
  if (kind === 'timeout') model.seconds = fc.integer({ min: 1, max: MAX_TIMEOUT_SECONDS });
  const required = Object.keys(model).filter(
    (key) => key !== 'reason' || DEFAULT_REASONS[kind] === undefined,
  );
  return fc.record(model, { requiredKeys: required });
}
const anyKind = fc.oneof(
  fc.constantFrom(...MODERATOR_COMMANDS),
  fc.constantFrom(...PROTOTYPE_KEYS),
  hostileString,
);

/** A refusal lists at least one problem, each saying what is wrong: the 400's body. */
function expectProblems(problems: readonly string[]): void {
  expect(problems.length).toBeGreaterThan(0);
  for (const problem of problems) expect(problem).toMatch(/\S/);
}

describe('fuzz: HTTP API events', () => {
  const body = fc.oneof(
    hostileString,
    fc.json(),
    hostileJson.map((value) => jsonText(value) ?? ''),
    // Past the 16 KB a body may have.
    fc.integer({ min: 16 * 1024 - 10, max: 20 * 1024 }).map((size) => JSON.stringify('x'.repeat(size))),
  );
  const event = fc.oneof(
    garbage,
    nearValid(fc.constantFrom(...samples)),
    fc.tuple(fc.constantFrom(...samples), body, fc.boolean()).map(([sample, text, encode]) => ({
      ...(typeof sample === 'object' ? sample : {}),
      body: encode ? Buffer.from(text).toString('base64') : text,
      isBase64Encoded: encode,
    })),
  );

  it('reads any event as a request or nothing, keeping every string header and the JSON body', () => {
    fc.assert(
      fc.property(event, (input) => {
        const request = readHttpRequest(input);
        if (request === undefined) return;
        expect(request.method).toBe(request.method.toUpperCase());
        expect(typeof request.path).toBe('string');
        const raw = isRecord(input) ? input.headers : undefined;
        if (isRecord(raw)) {
          for (const [name, value] of Object.entries(raw)) {
            if (typeof value === 'string')
              expect(Object.hasOwn(request.headers, name.toLowerCase())).toBe(true);
          }
        }
        for (const value of [...Object.values(request.headers), ...Object.values(request.query)])
          expect(typeof value).toBe('string');
        if (request.bodyInvalid) expect(request.body).toBeUndefined();
        else if (isRecord(input) && typeof input.body === 'string' && input.body !== '') {
          const text =
            input.isBase64Encoded === true ? Buffer.from(input.body, 'base64').toString('utf8') : input.body;
          expect(request.body).toEqual(JSON.parse(text));
        }
        expect(request.callerArn === undefined || typeof request.callerArn === 'string').toBe(true);
      }),
      fuzzParameters(60),
    );
  });

  it('regression: keeps a header named __proto__ as a header', () => {
    const request = readHttpRequest(
      JSON.parse(
        '{"requestContext":{"http":{"method":"get","path":"/"}},"headers":{"__proto__":"x","Idempotency-Key":"k"}}',
      ),
    );
    expect(request?.headers).toEqual(JSON.parse('{"__proto__":"x","idempotency-key":"k"}'));
  });
});

describe('fuzz: chat token requests', () => {
  it('reads any body as a valid request or its problems, never throwing', () => {
    fc.assert(
      fc.property(fc.oneof(garbage, nearValid(tokenBody), tokenBody), (input) => {
        const parsed = parseChatTokenRequest(input);
        if (!parsed.ok) return expectProblems(parsed.problems);
        const { request } = parsed;
        expect(request.roomArn).toMatch(ROOM_ARN);
        expect([...request.userId].length).toBeGreaterThanOrEqual(1);
        expect([...request.userId].length).toBeLessThanOrEqual(128);
        expect(new Set(request.capabilities).size).toBe(request.capabilities.length);
        expect(Number.isInteger(request.sessionDurationInMinutes)).toBe(true);
        expect(Buffer.byteLength(JSON.stringify(request.attributes))).toBeLessThanOrEqual(1024);
      }),
      fuzzParameters(70),
    );
  });

  it('accepts every valid request as sent, with the defaults for what it leaves out', () => {
    fc.assert(
      fc.property(tokenBody, (body) => {
        expect(parseChatTokenRequest(body)).toEqual({
          ok: true,
          request: {
            capabilities: ['SEND_MESSAGE'],
            sessionDurationInMinutes: 60,
            attributes: {},
            ...body,
            ...(body.capabilities === undefined ? {} : { capabilities: [...new Set(body.capabilities)] }),
          },
        });
      }),
      fuzzParameters(30),
    );
  });

  it('regression: a capability that cannot be turned into text is a problem, not a crash', () => {
    // String({toString: 1}) throws a TypeError: the token API answered 500 instead of 400.
    for (const capability of [{ toString: 1 }, Object.create(null), [[[]]]]) {
      expect(
        parseChatTokenRequest({
          roomArn: 'arn:aws:ivschat:us-east-1:123456789012:room/a',
          userId: 'u',
          capabilities: [capability],
        }),
      ).toEqual({
        ok: false,
        problems: [expect.stringMatching(/^capabilities: .* is not one of SEND_MESSAGE/)],
      });
    }
  });
});

describe('fuzz: moderator commands', () => {
  const input = fc
    .constantFrom(...MODERATOR_COMMANDS)
    .chain((kind) => fc.tuple(fc.constant(kind), fc.oneof(commandBody(kind), nearValid(commandBody(kind)))));

  it('reads any action and body as a valid command or its problems, never throwing', () => {
    fc.assert(
      fc.property(fc.oneof(fc.tuple(anyKind, garbage), input), ([kind, body]) => {
        const parsed = parseModeratorCommand(kind, body);
        if (!parsed.ok) return expectProblems(parsed.problems);
        const { command } = parsed;
        expect(command.kind).toBe(kind);
        expect(command.roomArn).toMatch(ROOM_ARN);
        expect(typeof command.reason).toBe('string');
        expect([...command.reason].length).toBeGreaterThan(0);
        if (command.kind === 'timeout') expect(Number.isInteger(command.seconds)).toBe(true);
        if (command.kind !== 'approve') {
          const { actions, audit } = planModeratorAction(
            { command, moderator: { id: 'm' }, requestId: 'r' },
            0,
          );
          expect(audit.action).toBe(kind);
          for (const action of actions) expect(action.roomArn).toBe(command.roomArn);
        }
      }),
      fuzzParameters(60),
    );
  });

  it('accepts every valid command as sent', () => {
    const valid = fc
      .constantFrom(...MODERATOR_COMMANDS)
      .chain((kind) => fc.tuple(fc.constant(kind), commandBody(kind)));
    fc.assert(
      fc.property(valid, ([kind, body]) => {
        expect(parseModeratorCommand(kind, body)).toEqual({
          ok: true,
          command: { kind, ...(body.reason === undefined ? { reason: DEFAULT_REASONS[kind] } : {}), ...body },
        });
      }),
      fuzzParameters(30),
    );
  });
});
