import type { Readable } from 'node:stream';

/**
 * Where archived chat logs are read from: a folder laid out like the S3 bucket, or the bucket itself. Kept to
 * two operations so the backtest core is tested on folders and the S3 adapter stays the one module that knows
 * the SDK.
 */
export interface ArchiveSource {
  /** How the source is named in reports: a path, or `s3://bucket/prefix`. */
  readonly description: string;
  /** Every object's key, in a stable order; rejects when the archive cannot be listed at all. */
  listKeys(): AsyncIterable<string>;
  /** The object's bytes as stored (still compressed); rejects when it cannot be opened. */
  openObject(key: string): Promise<Readable>;
}

/** The room id in an IVS S3 key (`…/room_<roomId>/…`), or undefined for keys that name none (Firehose objects). */
export function roomIdFromKey(key: string): string | undefined {
  return /(?:^|\/)room_([A-Za-z0-9]+)\//.exec(key)?.[1];
}

/**
 * Objects Firehose writes next to the archive that are not chat log records (records it failed to transform,
 * with their raw data), so a replay skips them rather than reporting every line as invalid.
 */
export function isProcessingFailedKey(key: string): boolean {
  return /(?:^|\/)processing-failed\//.test(key);
}
