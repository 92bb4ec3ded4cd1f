import { describe, expect, it } from 'vitest';
import { parseChatTokenRequest, refusalFor } from '../../../shared/moderation/chat-token-request.js';
import type { AuditEntry } from '../../../shared/moderation/moderator-actions.js';
import {
  MODERATION_EVENT_NAME,
  parseModeratorCommand,
  planModeratorAction,
} from '../../../shared/moderation/moderator-actions.js';
import type { AuditLog } from '../../../shared/moderation/run-moderator-action.js';
import { runModeratorAction } from '../../../shared/moderation/run-moderator-action.js';

const ROOM = 'arn:aws:ivschat:us-east-1:123456789012:room/abcdEFGH1234';
const NOW = Date.parse('2026-11-27T18:00:00Z');
const moderator = { id: 'arn:aws:iam::123456789012:role/backend', name: 'Alice' };

describe('moderator commands from outside input', () => {
  it('accepts each command with exactly the fields it takes', () => {
    expect(parseModeratorCommand('ban', { roomArn: ROOM, userId: 'u', reason: 'spam' })).toEqual({
      ok: true,
      command: { kind: 'ban', roomArn: ROOM, userId: 'u', reason: 'spam' },
    });
    expect(parseModeratorCommand('unban', { roomArn: ROOM, userId: 'u' })).toMatchObject({
      ok: true,
      command: { reason: 'lifted' },
    });
    expect(
      parseModeratorCommand('timeout', { roomArn: ROOM, userId: 'u', reason: 'r', seconds: 60 }),
    ).toMatchObject({
      ok: true,
      command: { kind: 'timeout', seconds: 60 },
    });
    expect(
      parseModeratorCommand('delete', { roomArn: ROOM, messageId: 'AbCdEf123456', reason: 'r' }),
    ).toMatchObject({
      ok: true,
      command: { kind: 'delete', messageId: 'AbCdEf123456' },
    });
  });

  it('lists every problem: unknown fields, bad ARNs and ids, lengths, fields a command does not take', () => {
    expect(
      parseModeratorCommand('delete', {
        roomArn: 'arn:aws:ivschat:us-east-1:123456789012:logging-configuration/x',
        messageId: 'short',
        userId: 'u',
        reason: 'x'.repeat(257),
        seconds: 5,
        color: 'red',
      }),
    ).toEqual({
      ok: false,
      problems: [
        'color: unknown field',
        'roomArn: not an IVS Chat room ARN',
        'reason: 1 to 256 characters',
        'userId: not used by delete',
        'messageId: exactly 12 characters',
        'seconds: only a timeout has a length',
      ],
    });
    expect(
      parseModeratorCommand('timeout', { roomArn: ROOM, userId: 'u', reason: 'r', seconds: 1.5 }),
    ).toMatchObject({
      ok: false,
      problems: ['seconds: a whole number from 1 to 1209600'],
    });
    expect(parseModeratorCommand('purge', { roomArn: ROOM, userId: 'u', reason: 'r' })).toMatchObject({
      ok: false,
      problems: [expect.stringContaining('unknown action "purge"')],
    });
    expect(parseModeratorCommand('ban', 'ban everyone')).toEqual({
      ok: false,
      problems: ['the request must be a JSON object'],
    });
  });
});

describe('planning a moderator action', () => {
  it('bans: the sanction before the disconnect, then the room is told; keys come from the request id', () => {
    const { actions, audit } = planModeratorAction(
      {
        command: { kind: 'ban', roomArn: ROOM, userId: 'troll', reason: 'spam' },
        moderator,
        requestId: 'req-1',
      },
      NOW,
    );
    expect(actions).toEqual([
      {
        kind: 'sanction',
        key: 'moderator:req-1:sanction',
        roomArn: ROOM,
        userId: 'troll',
        sanction: { kind: 'ban', reason: 'spam' },
      },
      {
        kind: 'disconnect',
        key: 'moderator:req-1:disconnect',
        roomArn: ROOM,
        userId: 'troll',
        reason: 'Banned: spam',
      },
      {
        kind: 'notify',
        key: 'moderator:req-1:notify',
        roomArn: ROOM,
        userId: 'troll',
        eventName: MODERATION_EVENT_NAME,
        attributes: { action: 'ban', userId: 'troll', reason: 'spam' },
      },
    ]);
    expect(audit).toEqual({
      requestId: 'req-1',
      roomArn: ROOM,
      atMillis: NOW,
      action: 'ban',
      moderatorId: moderator.id,
      moderatorName: 'Alice',
      userId: 'troll',
      reason: 'spam',
    });
  });

  it('times out until now plus the length, and says until when', () => {
    const { actions, audit } = planModeratorAction(
      {
        command: { kind: 'timeout', roomArn: ROOM, userId: 'u', seconds: 90, reason: 'caps' },
        moderator,
        requestId: 'r',
      },
      NOW,
    );
    expect(audit.untilMillis).toBe(NOW + 90_000);
    expect(actions[0]).toMatchObject({ sanction: { kind: 'timeout', untilMillis: NOW + 90_000 } });
    expect(actions[1]).toMatchObject({ attributes: { until: '2026-11-27T18:01:30.000Z' } });
  });
});

describe('running a moderator action', () => {
  const memoryAudit = (): AuditLog & { entries: AuditEntry[] } => {
    const entries: AuditEntry[] = [];
    return {
      entries,
      async record(entry) {
        if (entries.some((known) => known.requestId === entry.requestId)) return 'duplicate';
        entries.push(entry);
        return 'recorded';
      },
      async get(_roomArn, requestId) {
        return entries.find((entry) => entry.requestId === requestId);
      },
      async list() {
        return entries;
      },
    };
  };
  const request = {
    command: { kind: 'disconnect', roomArn: ROOM, userId: 'u', reason: 'r' },
    moderator,
    requestId: 'req-9',
  } as const;

  it('audits only after every action is done, so a failed request is retried and audited once', async () => {
    const audit = memoryAudit();
    const failing = await runModeratorAction(request, {
      audit,
      now: () => NOW,
      execute: async (actions) =>
        actions.map((action) => ({
          action,
          status: 'failed',
          attempts: 6,
          throttles: 0,
          error: 'InternalServerException',
          inProgress: false,
        })),
    });
    expect(failing).toMatchObject({
      ok: false,
      failed: [{ key: 'moderator:req-9:disconnect', error: 'InternalServerException' }],
    });
    expect(audit.entries).toEqual([]);

    const done = async () =>
      runModeratorAction(request, {
        audit,
        now: () => NOW,
        execute: async (actions) =>
          actions.map((action) => ({ action, status: 'done', attempts: 1, throttles: 0 })),
      });
    expect(await done()).toMatchObject({ ok: true, auditRecord: 'recorded' });
    expect(await done()).toMatchObject({ ok: true, auditRecord: 'duplicate' });
    expect(audit.entries).toHaveLength(1);
  });
});

describe('chat token requests', () => {
  it('takes a room, a user, capabilities, a session length and server-minted attributes', () => {
    expect(
      parseChatTokenRequest({
        roomArn: ROOM,
        userId: 'viewer-1',
        capabilities: ['SEND_MESSAGE', 'SEND_MESSAGE'],
        sessionDurationInMinutes: 30,
        attributes: { role: 'viewer', displayName: 'Vee' },
      }),
    ).toEqual({
      ok: true,
      request: {
        roomArn: ROOM,
        userId: 'viewer-1',
        capabilities: ['SEND_MESSAGE'],
        sessionDurationInMinutes: 30,
        attributes: { role: 'viewer', displayName: 'Vee' },
      },
    });
    expect(parseChatTokenRequest({ roomArn: ROOM, userId: 'v' })).toMatchObject({
      ok: true,
      request: { capabilities: ['SEND_MESSAGE'], sessionDurationInMinutes: 60, attributes: {} },
    });
  });

  it('refuses what IVS would refuse, all problems at once', () => {
    expect(
      parseChatTokenRequest({
        roomArn: 'room',
        userId: '',
        capabilities: ['ADMIN'],
        sessionDurationInMinutes: 181,
        attributes: { role: 1, bio: 'x'.repeat(1100) },
      }),
    ).toEqual({
      ok: false,
      problems: [
        'roomArn: an IVS Chat room ARN',
        'userId: 1 to 128 characters',
        'capabilities: "ADMIN" is not one of SEND_MESSAGE, DISCONNECT_USER, DELETE_MESSAGE',
        'sessionDurationInMinutes: a whole number from 1 to 180',
        'attributes.role: a string',
        'attributes: 1110 bytes, IVS allows 1024',
      ],
    });
  });

  it('refuses a banned user, and a timed-out one until the timeout ends', () => {
    expect(refusalFor({ kind: 'ban', reason: 'spam' }, NOW)).toEqual({
      error: 'banned',
      message: 'You are banned from this room: spam',
    });
    const timeout = { kind: 'timeout', untilMillis: NOW + 60_000, reason: 'caps' } as const;
    expect(refusalFor(timeout, NOW)).toEqual({
      error: 'timed-out',
      message: 'You are timed out until 2026-11-27T18:01:00.000Z: caps',
      until: '2026-11-27T18:01:00.000Z',
    });
    expect(refusalFor(timeout, NOW + 60_000)).toBeUndefined();
    expect(refusalFor(undefined, NOW)).toBeUndefined();
  });
});
