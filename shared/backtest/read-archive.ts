import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/**
 * One archived object read as a stream of lines: decompressed on the fly, split on newlines without ever holding
 * more than one line, and refused once it decompresses past a cap, so a gzip bomb costs at most the cap in time
 * and one line in memory.
 */

export interface ReadLimits {
  /** Decompressed bytes one object may hold; past it the object is refused (a gzip bomb, or not a chat log). */
  readonly maxObjectBytes: number;
  /** Bytes one line may hold; a longer line is reported and skipped, not buffered. */
  readonly maxLineBytes: number;
}

/** 1 GiB: an IVS log object holds minutes of one room; far more than that is not a chat log. */
export const DEFAULT_MAX_OBJECT_BYTES = 1024 * 1024 * 1024;
/** A record holds at most a few KB (1 KB of attributes, a message IVS caps at 500 characters); 1 MiB is generous. */
export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

export type ObjectLine =
  | { readonly line: number; readonly text: string }
  | { readonly line: number; readonly tooLong: true };

/** Why an object stopped being read; the lines before it were already yielded. */
export class ObjectReadError extends Error {
  constructor(
    message: string,
    /** The last line read before the failure (0: none). */
    readonly afterLine: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ObjectReadError';
  }
}

/** Whether an object is gzip, from its key: IVS writes `.log.gz`, Firehose archives are plain unless compressed. */
export function isGzipKey(key: string): boolean {
  return key.endsWith('.gz');
}

/**
 * The non-blank lines of one object, numbered from 1 as in the decompressed text. Throws ObjectReadError when the
 * object is corrupt, cannot be read to the end, or passes `maxObjectBytes`; `raw` is destroyed either way.
 */
export async function* readObjectLines(
  raw: Readable,
  gzip: boolean,
  { maxObjectBytes, maxLineBytes }: ReadLimits,
): AsyncGenerator<ObjectLine> {
  const gunzip = gzip ? createGunzip() : undefined;
  const source: Readable = gunzip ?? raw;
  // Told apart from a gzip error: a dropped connection is not a corrupt object.
  let sourceFailed = false;
  if (gunzip !== undefined) {
    // pipe() does not pass errors on: a failed read must end the iteration, not hang it.
    raw.on('error', (error) => {
      sourceFailed = true;
      gunzip.destroy(error);
    });
    raw.pipe(gunzip);
  }
  let lineNumber = 0;
  let total = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  // Set while the current line has grown past maxLineBytes: its bytes are dropped until its newline.
  let skipping = false;
  const finishLine = (piece: Buffer): ObjectLine | undefined => {
    lineNumber += 1;
    const tooLong = skipping || pendingBytes + piece.length > maxLineBytes;
    const bytes = tooLong ? undefined : Buffer.concat([...pending, piece]);
    pending = [];
    pendingBytes = 0;
    skipping = false;
    if (tooLong) return { line: lineNumber, tooLong: true };
    // Splitting on 0x0A is safe for UTF-8: the byte never occurs inside a multi-byte sequence.
    const text = (bytes ?? Buffer.alloc(0)).toString('utf8').replace(/\r$/, '');
    return text.trim() === '' ? undefined : { line: lineNumber, text };
  };
  try {
    for await (const chunk of source) {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      total += bytes.length;
      if (total > maxObjectBytes) {
        throw new ObjectReadError(
          `refused: decompresses to more than ${maxObjectBytes} bytes (the per-object cap)`,
          lineNumber,
        );
      }
      let start = 0;
      for (let newline = bytes.indexOf(0x0a, start); newline !== -1; newline = bytes.indexOf(0x0a, start)) {
        const line = finishLine(bytes.subarray(start, newline));
        if (line !== undefined) yield line;
        start = newline + 1;
      }
      const rest = bytes.subarray(start);
      if (skipping) continue;
      if (pendingBytes + rest.length > maxLineBytes) {
        skipping = true;
        pending = [];
        pendingBytes = 0;
      } else if (rest.length > 0) {
        pending.push(rest);
        pendingBytes += rest.length;
      }
    }
    if (skipping || pendingBytes > 0) {
      const line = finishLine(Buffer.alloc(0));
      if (line !== undefined) yield line;
    }
  } catch (error) {
    if (error instanceof ObjectReadError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new ObjectReadError(
      gzip && !sourceFailed ? `not a readable gzip object: ${reason}` : `cannot be read: ${reason}`,
      lineNumber,
      { cause: error },
    );
  } finally {
    gunzip?.destroy();
    raw.destroy();
  }
}
