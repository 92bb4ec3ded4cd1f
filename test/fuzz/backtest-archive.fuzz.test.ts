import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ObjectLine, ReadLimits } from '../../shared/backtest/read-archive.js';
import { ObjectReadError, readObjectLines } from '../../shared/backtest/read-archive.js';
import { fuzzParameters } from '../helpers/fuzz.js';

/**
 * Archived objects for the backtest, as bytes from S3 or a folder: any bytes, in any chunks, gzip or not, read to
 * the lines a plain split would give, or stopped by an ObjectReadError after a prefix of them, never past the cap.
 */

/** The lines of `bytes`, as the reader documents them, computed the simple way: all at once. */
function referenceLines(bytes: Buffer, maxLineBytes: number): ObjectLine[] {
  const lines: ObjectLine[] = [];
  let start = 0;
  let number = 0;
  while (start < bytes.length) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline === -1 ? bytes.length : newline;
    number += 1;
    const piece = bytes.subarray(start, end);
    if (piece.length > maxLineBytes) lines.push({ line: number, tooLong: true });
    else {
      const text = piece.toString('utf8').replace(/\r$/, '');
      if (text.trim() !== '') lines.push({ line: number, text });
    }
    start = end + 1;
  }
  return lines;
}

async function read(chunks: readonly Buffer[], gzip: boolean, limits: ReadLimits) {
  const lines: ObjectLine[] = [];
  try {
    for await (const line of readObjectLines(Readable.from(chunks), gzip, limits)) lines.push(line);
    return { lines, error: undefined };
  } catch (error) {
    return { lines, error };
  }
}

/** `bytes` cut at the given points into chunks (some empty). */
function chunk(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  return chunks.filter((piece) => piece.length > 0);
}

/** Text like an archive's: lines of multi-byte characters, CRLF and blank lines, and raw bytes that are not UTF-8. */
const content = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'binary', maxLength: 30 }),
      fc.constantFrom('\n', '\r\n', '\n\n', '   \n', '{"type":"MESSAGE"}\n', '🎉'),
      fc.uint8Array({ maxLength: 8 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
    ),
    { maxLength: 40 },
  )
  .map((parts) => Buffer.concat(parts.map((part) => Buffer.from(part))));
const limits = fc.record({
  maxObjectBytes: fc.constant(1024 * 1024),
  maxLineBytes: fc.integer({ min: 1, max: 80 }),
});
const cuts = fc.array(fc.nat(), { maxLength: 8 });

describe('fuzz: archived objects', () => {
  it('reads plain bytes in any chunks to the lines a plain split gives', async () => {
    await fc.assert(
      fc.asyncProperty(content, cuts, limits, async (bytes, at, limit) => {
        const { lines, error } = await read(chunk(bytes, at), false, limit);
        expect(error).toBeUndefined();
        expect(lines).toEqual(referenceLines(bytes, limit.maxLineBytes));
      }),
      fuzzParameters(30),
    );
  });

  it('reads gzip, in one member or several and in any chunks, to the same lines', async () => {
    await fc.assert(
      fc.asyncProperty(content, fc.nat(), cuts, limits, async (bytes, split, at, limit) => {
        const middle = split % (bytes.length + 1);
        const members = Buffer.concat([
          gzipSync(bytes.subarray(0, middle)),
          gzipSync(bytes.subarray(middle)),
        ]);
        const { lines, error } = await read(chunk(members, at), true, limit);
        expect(error).toBeUndefined();
        expect(lines).toEqual(referenceLines(bytes, limit.maxLineBytes));
      }),
      fuzzParameters(20),
    );
  });

  it('stops a cut or corrupted gzip object with an ObjectReadError, after a prefix of its lines', async () => {
    await fc.assert(
      fc.asyncProperty(
        content,
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        limits,
        async (bytes, cut, flip, value, limit) => {
          const whole = gzipSync(bytes);
          const damaged = Buffer.from(whole.subarray(0, cut % whole.length));
          if (damaged.length > 0 && flip % 2 === 0) damaged[flip % damaged.length] = value;
          const { lines, error } = await read([damaged], true, limit);
          const expected = referenceLines(bytes, limit.maxLineBytes);
          if (error !== undefined) {
            expect(error).toBeInstanceOf(ObjectReadError);
            if (error instanceof ObjectReadError)
              expect(error.afterLine).toBeGreaterThanOrEqual(lines.at(-1)?.line ?? 0);
          }
          // A flipped byte may decode to other text before zlib's check finds it; a clean cut never does, and a cut
          // object is never taken for a whole one.
          if (flip % 2 === 1) {
            expect(expected.slice(0, lines.length)).toEqual(lines);
            if (damaged.length > 0) expect(error).toBeInstanceOf(ObjectReadError);
          }
        },
      ),
      fuzzParameters(20),
    );
  });

  it('reads any bytes claimed to be gzip to lines or an ObjectReadError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), cuts, limits, async (raw, at, limit) => {
        const { error } = await read(chunk(Buffer.from(raw), at), true, limit);
        if (error !== undefined) expect(error).toBeInstanceOf(ObjectReadError);
      }),
      fuzzParameters(25),
    );
  });

  it('refuses an object that decompresses past its cap, having yielded no more than the cap', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 64 * 1024 }),
        fc.constantFrom('\n', 'x', 'line\n'),
        async (cap, unit) => {
          const bomb = gzipSync(Buffer.from(unit.repeat(Math.ceil((cap * 3) / unit.length))));
          const { lines, error } = await read([bomb], true, { maxObjectBytes: cap, maxLineBytes: 1024 });
          expect(error).toBeInstanceOf(ObjectReadError);
          expect(error).toMatchObject({
            message: `refused: decompresses to more than ${cap} bytes (the per-object cap)`,
          });
          const yielded = lines.reduce(
            (total, line) => total + ('text' in line ? Buffer.byteLength(line.text) + 1 : 0),
            0,
          );
          expect(yielded).toBeLessThanOrEqual(cap);
        },
      ),
      fuzzParameters(8),
    );
  });

  it('fails a source that breaks off with an ObjectReadError, not a hang', async () => {
    await fc.assert(
      fc.asyncProperty(content, fc.boolean(), async (bytes, gzip) => {
        const payload = gzip ? gzipSync(bytes) : bytes;
        const source = new Readable({
          read() {
            this.push(payload.subarray(0, payload.length >> 1));
            this.destroy(new Error('connection reset'));
          },
        });
        const lines: ObjectLine[] = [];
        const error = await (async () => {
          for await (const line of readObjectLines(source, gzip, {
            maxObjectBytes: 1 << 20,
            maxLineBytes: 80,
          }))
            lines.push(line);
        })().then(
          () => undefined,
          (failure: unknown) => failure,
        );
        expect(error).toBeInstanceOf(ObjectReadError);
        expect(error).toMatchObject({
          message: expect.stringMatching(/^cannot be read: |^not a readable gzip object: /),
        });
      }),
      fuzzParameters(8),
    );
  });
});
