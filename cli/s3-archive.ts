import { Readable } from 'node:stream';
import type { GetObjectCommandOutput, ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { ArchiveSource } from '../shared/backtest/archive-source.js';

/** The two S3 calls the archive needs; an S3Client has them, and a test can stand a local server behind one. */
export interface S3ArchiveClient {
  listPage(bucket: string, prefix: string, token: string | undefined): Promise<ListObjectsV2CommandOutput>;
  getObject(bucket: string, key: string): Promise<GetObjectCommandOutput>;
}

export function sdkS3ArchiveClient(client: S3Client): S3ArchiveClient {
  return {
    listPage: (bucket, prefix, token) =>
      client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          ...(token === undefined ? {} : { ContinuationToken: token }),
        }),
      ),
    getObject: (bucket, key) => client.send(new GetObjectCommand({ Bucket: bucket, Key: key })),
  };
}

/** `s3://bucket/prefix` split, or undefined when `location` is not an S3 URL. */
export function parseS3Url(location: string): { bucket: string; prefix: string } | undefined {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(location);
  if (match === null) return undefined;
  const [, bucket = '', prefix = ''] = match;
  return bucket === '' ? undefined : { bucket, prefix };
}

/** An archive in S3: ListObjectsV2 page by page (keys come back in key order), each object streamed. */
export function s3Archive(
  bucket: string,
  prefix: string,
  client: S3ArchiveClient = sdkS3ArchiveClient(new S3Client({})),
): ArchiveSource {
  return {
    description: `s3://${bucket}/${prefix}`,
    async *listKeys() {
      let token: string | undefined;
      do {
        const page = await client.listPage(bucket, prefix, token);
        for (const object of page.Contents ?? []) {
          // "Folder" placeholder objects that consoles create hold nothing.
          if (object.Key !== undefined && !object.Key.endsWith('/')) yield object.Key;
        }
        token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
        if (page.IsTruncated === true && token === undefined)
          throw new Error('ListObjectsV2 reported more keys but gave no continuation token');
      } while (token !== undefined);
    },
    openObject: async (key: string) => {
      const { Body } = await client.getObject(bucket, key);
      // In Node the SDK's body is a Readable; anything else means the client is not the Node one.
      if (!(Body instanceof Readable)) throw new Error('GetObject returned no readable body');
      return Body;
    },
  };
}
