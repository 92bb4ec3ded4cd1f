import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChatState } from '../../local/ivschat/chat-state.js';
import {
  createLocalRooms,
  LocalRoomsError,
  loadLocalRooms,
  readLocalRooms,
} from '../../local/local-rooms.js';
import { REPO_ROOT } from '../helpers/run-command.js';

describe('config/local-rooms.yaml', () => {
  it('defines the lobby: reviewed by reviewMessage, fail-open, 500 characters, logged to CloudWatch Logs', () => {
    const config = loadLocalRooms(path.join(REPO_ROOT, 'config/local-rooms.yaml'));
    expect(config.rooms).toEqual([
      {
        name: 'lobby',
        maximumMessageLength: 500,
        maximumMessageRatePerSecond: 10,
        messageReviewHandler: { function: 'reviewMessage', fallbackResult: 'ALLOW' },
        loggingConfigurations: ['moderation-chat-logs'],
      },
    ]);
    expect(config.loggingConfigurations).toEqual([
      {
        name: 'moderation-chat-logs',
        destinationConfiguration: { cloudWatchLogs: { logGroupName: '/ivs-chat-moderation/local/chat' } },
      },
    ]);
  });
});

describe('createLocalRooms', () => {
  it('creates the logging configurations and rooms in the state, with the handler ARN resolved', () => {
    const state = new ChatState();
    const config = loadLocalRooms(path.join(REPO_ROOT, 'config/local-rooms.yaml'));
    const rooms = createLocalRooms(
      state,
      config,
      (key) => `arn:aws:lambda:us-east-1:123456789012:function:x-${key}`,
      { 'ivs-mod:owner': 'ivs-chat-moderation-local' },
    );
    const lobby = rooms.get('lobby');
    expect(lobby && state.findRoom(lobby.arn)).toBe(lobby);
    expect(lobby?.messageReviewHandler).toEqual({
      uri: 'arn:aws:lambda:us-east-1:123456789012:function:x-reviewMessage',
      fallbackResult: 'ALLOW',
    });
    const [configurationArn] = lobby?.loggingConfigurationIdentifiers ?? [];
    expect(state.findLoggingConfiguration(configurationArn ?? '')).toMatchObject({
      name: 'moderation-chat-logs',
      state: 'ACTIVE',
      // The stage's own: the reconciler manages it as one it created.
      tags: { 'ivs-mod:owner': 'ivs-chat-moderation-local' },
      destinationConfiguration: { cloudWatchLogs: { logGroupName: '/ivs-chat-moderation/local/chat' } },
    });
  });
});

describe('readLocalRooms', () => {
  it('fills IVS defaults', () => {
    expect(readLocalRooms('rooms: [{ name: a }]', 'f.yaml').rooms).toEqual([
      { name: 'a', maximumMessageLength: 500, maximumMessageRatePerSecond: 10, loggingConfigurations: [] },
    ]);
  });

  it.each([
    [
      'rooms: [{ name: a, maximumMessageLength: 501 }]',
      'rooms[0].maximumMessageLength: expected a whole number from 1 to 500',
    ],
    ['rooms: [{ name: a, colour: red }]', 'rooms[0].colour: unknown key'],
    [
      'rooms: [{ name: a, loggingConfigurations: [nope] }]',
      'rooms[0].loggingConfigurations[0]: no logging configuration is named "nope"',
    ],
    [
      'rooms: [{ name: a, messageReviewHandler: { function: f, fallbackResult: MAYBE } }]',
      'rooms[0].messageReviewHandler.fallbackResult: expected ALLOW or DENY',
    ],
    ['rooms: [{ name: "a b" }]', 'rooms[0].name: expected a string matching'],
    ['rooms: [{ name: a }, { name: a }]', 'rooms: names must be unique'],
    [
      'loggingConfigurations: [{ name: l, destinationConfiguration: { s3: { bucketName: b1x }, firehose: { deliveryStreamName: f } } }]',
      'loggingConfigurations[0].destinationConfiguration: expected exactly one of',
    ],
    ['rooms: {', '(document):'],
    ['- just a list', '(root): expected a mapping'],
  ])('refuses %j naming the file and the path', (text, problem) => {
    expect(() => readLocalRooms(text, 'rooms.yaml')).toThrow(LocalRoomsError);
    expect(() => readLocalRooms(text, 'rooms.yaml')).toThrow(`rooms.yaml: ${problem}`);
  });
});
