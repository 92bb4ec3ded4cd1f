import { createServer, type Server } from 'node:http';
import { Writable } from 'node:stream';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.js';
import type { S3ArchiveClient } from '../../cli/s3-archive.js';
import { parseS3Url, s3Archive, sdkS3ArchiveClient } from '../../cli/s3-archive.js';
import { knownArchive, ROOM_A, ROOM_B } from '../helpers/backtest-archive.js';

/**
 * The S3 archive reader against a small S3 stand-in served over HTTP: ListObjectsV2 (two keys a page, so every
 * listing paginates) and GetObject, path-style. The real SDK client talks to it, so request building, XML parsing
 * and body streaming are the SDK's own; only the server side is ours.
 */

const BUCKET = 'chat-archive';
const PAGE = 2;

const xml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function s3StandIn(objects: ReadonlyMap<string, Buffer>) {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    requests.push(`${request.method} ${url.pathname}${url.search}`);
    const [, bucket = '', ...rest] = url.pathname.split('/');
    if (bucket !== BUCKET) {
      response.writeHead(404, { 'content-type': 'application/xml' });
      response.end(
        '<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>',
      );
      return;
    }
    if (rest.length === 0 || (rest.length === 1 && rest[0] === '')) {
      const prefix = url.searchParams.get('prefix') ?? '';
      const keys = [...objects.keys()].filter((key) => key.startsWith(prefix)).sort();
      const start = Number(url.searchParams.get('continuation-token') ?? '0');
      const page = keys.slice(start, start + PAGE);
      const truncated = start + PAGE < keys.length;
      response.writeHead(200, { 'content-type': 'application/xml' });
      response.end(
        `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
          `<Name>${BUCKET}</Name><Prefix>${xml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount>` +
          `<MaxKeys>${PAGE}</MaxKeys><IsTruncated>${truncated}</IsTruncated>` +
          page
            .map(
              (key) =>
                `<Contents><Key>${xml(key)}</Key><Size>${objects.get(key)?.length ?? 0}</Size></Contents>`,
            )
            .join('') +
          (truncated ? `<NextContinuationToken>${start + PAGE}</NextContinuationToken>` : '') +
          '</ListBucketResult>',
      );
      return;
    }
    const body = objects.get(rest.map(decodeURIComponent).join('/'));
    if (body === undefined) {
      response.writeHead(404, { 'content-type': 'application/xml' });
      response.end(
        '<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>',
      );
      return;
    }
    response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    response.end(body);
  });
  return { server, requests };
}

function collector() {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

describe('the S3 archive', () => {
  let server: Server;
  let requests: string[];
  let endpoint: string;

  beforeAll(async () => {
    // The SDK's notice that releases after January 2027 need Node 22 is noise in a test's output.
    vi.stubEnv('AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED', 'true');
    // The command builds its own client, which finds credentials as the SDK does: here, in the environment
    // (never the instance metadata service or a profile of the machine running the tests).
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
    vi.stubEnv('AWS_PROFILE', undefined);
    ({ server, requests } = s3StandIn(knownArchive()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the stand-in has no port');
    endpoint = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await new Promise((resolve) => server.close(resolve));
  });

  const client = () =>
    new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });

  it('lists every key under the prefix, page by page, and streams objects', async () => {
    requests.length = 0;
    const archive = s3Archive(BUCKET, 'AWSLogs/', sdkS3ArchiveClient(client()));
    const keys: string[] = [];
    for await (const key of archive.listKeys()) keys.push(key);
    expect(keys).toEqual([...knownArchive().keys()].filter((key) => key.startsWith('AWSLogs/')).sort());
    // Three keys, two a page: the second request carries the first page's token.
    expect(requests).toEqual([
      expect.stringMatching(/^GET \/chat-archive\/?\?list-type=2&prefix=AWSLogs%2F$/),
      expect.stringMatching(/^GET \/chat-archive\/?\?continuation-token=2&list-type=2&prefix=AWSLogs%2F$/),
    ]);
    const [first = ''] = keys;
    const chunks: Buffer[] = [];
    for await (const chunk of await archive.openObject(first)) chunks.push(Buffer.from(chunk));
    expect(Buffer.concat(chunks)).toEqual(knownArchive().get(first));
  });

  it('rejects opening a key that is not there', async () => {
    const archive = s3Archive(BUCKET, '', sdkS3ArchiveClient(client()));
    await expect(archive.openObject('missing.log.gz')).rejects.toThrow(/NoSuchKey|does not exist/);
  });

  it('runs the backtest command on s3://bucket/prefix, as on a folder', async () => {
    const stdout = collector();
    const stderr = collector();
    const code = await main(
      [
        'backtest',
        '--archive',
        `s3://${BUCKET}`,
        '--policy',
        'config/policies/strict.yaml',
        '--json',
        '--endpoint',
        endpoint,
        '--region',
        'us-east-1',
      ],
      { stdin: process.stdin, stdout: stdout.stream, stderr: stderr.stream },
    );
    expect(stderr.text()).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout.text())).toMatchObject({
      archive: `s3://${BUCKET}/`,
      objects: { listed: 5, read: 3, ignored: 1, failed: 1 },
      rooms: { '(unknown)': 2, [ROOM_A]: 6, [ROOM_B]: 4 },
      comparison: { messages: 12, changed: 7 },
    });
  });

  it('exits 1 when the bucket cannot be listed', async () => {
    const stderr = collector();
    const code = await main(
      [
        'backtest',
        '--archive',
        's3://no-such-bucket/x',
        '--policy',
        'config/policies/strict.yaml',
        '--endpoint',
        endpoint,
        '--region',
        'us-east-1',
      ],
      { stdin: process.stdin, stdout: collector().stream, stderr: stderr.stream },
    );
    expect(code).toBe(1);
    expect(stderr.text()).toMatch(
      /^ivs-mod backtest: cannot list s3:\/\/no-such-bucket\/x: .*bucket does not exist/,
    );
  });
});

describe('the S3 archive with a stand-in client', () => {
  const pages = (...contents: { keys: string[]; token?: string }[]): S3ArchiveClient => {
    let call = 0;
    return {
      listPage: async () => {
        const page = contents[call++];
        if (page === undefined) throw new Error('listed past the last page');
        return {
          $metadata: {},
          Contents: page.keys.map((Key) => ({ Key })),
          IsTruncated: page.token !== undefined,
          ...(page.token === undefined ? {} : { NextContinuationToken: page.token }),
        };
      },
      getObject: async () => ({ $metadata: {} }),
    };
  };

  it('skips folder placeholders', async () => {
    const keys: string[] = [];
    for await (const key of s3Archive('b', '', pages({ keys: ['a/', 'a/x.log.gz'] })).listKeys())
      keys.push(key);
    expect(keys).toEqual(['a/x.log.gz']);
  });

  it('fails a truncated page without a continuation token instead of stopping early', async () => {
    const client = pages({ keys: ['a'] });
    const broken: S3ArchiveClient = {
      ...client,
      listPage: async (...args) => ({ ...(await client.listPage(...args)), IsTruncated: true }),
    };
    const keys: string[] = [];
    await expect(async () => {
      for await (const key of s3Archive('b', '', broken).listKeys()) keys.push(key);
    }).rejects.toThrow('ListObjectsV2 reported more keys but gave no continuation token');
  });

  it('rejects an object without a readable body', async () => {
    await expect(s3Archive('b', '', pages()).openObject('k')).rejects.toThrow(
      'GetObject returned no readable body',
    );
  });

  it('parses s3 URLs', () => {
    expect(parseS3Url('s3://bucket/AWSLogs/1/')).toEqual({ bucket: 'bucket', prefix: 'AWSLogs/1/' });
    expect(parseS3Url('s3://bucket')).toEqual({ bucket: 'bucket', prefix: '' });
    expect(parseS3Url('/tmp/s3/bucket')).toBeUndefined();
    expect(parseS3Url('s3:///x')).toBeUndefined();
  });
});
