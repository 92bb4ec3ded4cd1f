import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { ObjectLine, ReadLimits } from '../../../shared/backtest/read-archive.js';
import { isGzipKey, ObjectReadError, readObjectLines } from '../../../shared/backtest/read-archive.js';

const LIMITS: ReadLimits = {
  maxObjectBytes: 1024 * 1024,
  maxLineBytes: 64,
};

async function collect(raw: Readable, gzip: boolean, limits: ReadLimits = LIMITS) {
  const lines: ObjectLine[] = [];
  try {
    for await (const line of readObjectLines(raw, gzip, limits)) lines.push(line);
  } catch (error) {
    return { lines, error };
  }
  return { lines, error: undefined };
}

/** A stream that hands over `bytes` in chunks of `size`, to put line ends and characters across chunk edges. */
function chunked(bytes: Buffer, size: number): Readable {
  const chunks: Buffer[] = [];
  for (let start = 0; start < bytes.length; start += size) chunks.push(bytes.subarray(start, start + size));
  return Readable.from(chunks);
}

describe('readObjectLines', () => {
  it('splits lines across chunk edges, keeps multi-byte characters whole, drops CR and blank lines', async () => {
    const text = 'première ligne\r\n\n  \nzweite Zeile 🎉\nlast without newline';
    for (const size of [1, 2, 3, 7, 1000]) {
      const { lines, error } = await collect(chunked(Buffer.from(text), size), false);
      expect(error).toBeUndefined();
      expect(lines).toEqual([
        { line: 1, text: 'première ligne' },
        { line: 4, text: 'zweite Zeile 🎉' },
        { line: 5, text: 'last without newline' },
      ]);
    }
  });

  it('reports a line longer than the cap by number, without buffering it, and goes on', async () => {
    const text = `short\n${'x'.repeat(200)}\nafter\n${'y'.repeat(100)}`;
    const { lines, error } = await collect(chunked(Buffer.from(text), 10), false);
    expect(error).toBeUndefined();
    expect(lines).toEqual([
      { line: 1, text: 'short' },
      { line: 2, tooLong: true },
      { line: 3, text: 'after' },
      { line: 4, tooLong: true },
    ]);
  });

  it('decompresses gzip, multi-member objects included', async () => {
    const raw = Buffer.concat([gzipSync('a\nb\n'), gzipSync('c\n')]);
    const { lines, error } = await collect(chunked(raw, 5), true);
    expect(error).toBeUndefined();
    expect(lines.map((line) => ('text' in line ? line.text : ''))).toEqual(['a', 'b', 'c']);
  });

  it('fails a corrupt gzip object with the lines read before the damage', async () => {
    const whole = gzipSync(Array.from({ length: 2000 }, (_, index) => `line ${index}`).join('\n'));
    // Cut short: the first lines come out, then zlib finds the stream unfinished.
    const { lines, error } = await collect(Readable.from([whole.subarray(0, whole.length / 2)]), true);
    expect(error).toBeInstanceOf(ObjectReadError);
    expect(error).toMatchObject({ message: expect.stringMatching(/^not a readable gzip object: /) });
    expect(lines.length).toBeGreaterThan(0);
    expect(error instanceof ObjectReadError && error.afterLine).toBe(lines.length);
  });

  it('fails an object that is not gzip at all', async () => {
    const { lines, error } = await collect(Readable.from([Buffer.from('plain text\n')]), true);
    expect(lines).toEqual([]);
    expect(error).toMatchObject({
      message: 'not a readable gzip object: incorrect header check',
      afterLine: 0,
    });
  });

  it('refuses a gzip bomb once it decompresses past the cap, having read only that much', async () => {
    // 16 MiB of zeros compress to about 16 KiB.
    const bomb = gzipSync(Buffer.alloc(16 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(32 * 1024);
    const { error } = await collect(Readable.from([bomb]), true, {
      maxObjectBytes: 1024 * 1024,
      maxLineBytes: 64,
    });
    expect(error).toMatchObject({
      message: 'refused: decompresses to more than 1048576 bytes (the per-object cap)',
    });
  });

  it('turns a failing source stream into ObjectReadError, plain or gzip', async () => {
    for (const gzip of [false, true]) {
      const raw = new Readable({
        read() {
          this.destroy(new Error('connection reset'));
        },
      });
      const { error } = await collect(raw, gzip);
      expect(error).toBeInstanceOf(ObjectReadError);
      expect(error).toMatchObject({ message: 'cannot be read: connection reset' });
    }
  });

  it('tells gzip objects by their key', () => {
    expect(isGzipKey('AWSLogs/1/IVSChatLogs/1.0/r/room_a/x.log.gz')).toBe(true);
    expect(isGzipKey('2026/11/27/18/stream-1-2026-11-27-18-00-00-abc')).toBe(false);
  });
});
