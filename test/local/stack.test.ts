import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetRoomCommand, IvschatClient } from '@aws-sdk/client-ivschat';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStack } from '../../local/stack.js';
import { functionName, startStack } from '../../local/stack.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** A port with the next three free too, found by asking the OS for one and checking its neighbours. */
async function freePortRun(length: number): Promise<number> {
  const isFree = (port: number) =>
    new Promise<boolean>((resolve) => {
      const server = createServer().once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 20; attempt++) {
    const first = 20_000 + Math.floor(Math.random() * 40_000);
    const free = await Promise.all(Array.from({ length }, (_, offset) => isFree(first + offset)));
    if (free.every(Boolean)) return first;
  }
  throw new Error('no run of free ports found');
}

describe('startStack', () => {
  let stack: RunningStack;
  let dataDirectory: string;

  beforeAll(async () => {
    dataDirectory = await mkdtemp(path.join(tmpdir(), 'stack-'));
    stack = await startStack({ port: 0, dataDirectory });
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
    await rm(dataDirectory, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 only', () => {
    for (const url of [stack.controlPlaneUrl, stack.messagingUrl, stack.webUrl, stack.dynamodbEndpoint])
      expect(new URL(url).hostname).toBe('127.0.0.1');
    expect(stack.messagingUrl).toMatch(/^ws:\/\//);
  });

  it('creates the lobby, reviewed by the review function under its stage-like ARN', async () => {
    const lobby = stack.rooms.get('lobby');
    const ivschat = new IvschatClient({ endpoint: stack.controlPlaneUrl, region: 'us-east-1', credentials });
    const room = await ivschat.send(new GetRoomCommand({ identifier: lobby?.arn }));
    expect(room).toMatchObject({
      name: 'lobby',
      maximumMessageLength: 500,
      messageReviewHandler: {
        uri: `arn:aws:lambda:us-east-1:123456789012:function:${functionName('reviewMessage')}`,
        fallbackResult: 'ALLOW',
      },
    });
    expect(room.loggingConfigurationIdentifiers).toHaveLength(1);
    ivschat.destroy();
  });

  it('issues chat tokens through CreateChatToken', async () => {
    const lobby = stack.rooms.get('lobby');
    const { token } = await stack.createChatToken(lobby?.arn ?? '', { userId: 'alice', role: 'viewer' });
    expect(stack.state.tokens.get(token)).toMatchObject({ userId: 'alice', attributes: { role: 'viewer' } });
  });

  it('runs DynamoDB', async () => {
    // The DynamoDB JSON protocol by hand: the project has no DynamoDB client yet. dynalite checks the
    // signature's shape, not its value.
    const response = await fetch(stack.dynamodbEndpoint, {
      method: 'POST',
      headers: {
        'x-amz-target': 'DynamoDB_20120810.ListTables',
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-date': '20240101T000000Z',
        authorization:
          'AWS4-HMAC-SHA256 Credential=local/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00',
      },
      body: '{}',
    });
    expect(await response.json()).toEqual({ TableNames: ['enforcement', 'idempotency'] });
  });
});

describe('startStack with a port', () => {
  it('uses consecutive ports from it: control plane, messaging, web page, DynamoDB', async () => {
    const port = await freePortRun(4);
    const dataDirectory = await mkdtemp(path.join(tmpdir(), 'stack-'));
    const stack = await startStack({ port, dataDirectory });
    try {
      expect(
        [stack.controlPlaneUrl, stack.messagingUrl, stack.webUrl, stack.dynamodbEndpoint].map((url) =>
          Number(new URL(url).port),
        ),
      ).toEqual([port, port + 1, port + 2, port + 3]);
    } finally {
      await stack.stop();
      await rm(dataDirectory, { recursive: true, force: true });
    }
  }, 60_000);
});
