import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderArchive } from '../../../cli/folder-archive.js';
import type { ArchiveSource } from '../../../shared/backtest/archive-source.js';
import { roomIdFromKey } from '../../../shared/backtest/archive-source.js';
import { formatBacktest } from '../../../shared/backtest/format-backtest.js';
import type { BacktestOptions, BacktestReport } from '../../../shared/backtest/run-backtest.js';
import { ArchiveListError, REDACTED, runBacktest } from '../../../shared/backtest/run-backtest.js';
import { loadPolicyFile } from '../../../shared/policy/load-policy-file.js';
import { compilePolicy } from '../../../shared/rules/compile-policy.js';
import { compileRegex } from '../../../shared/rules/linear-regex.js';
import {
  CORRUPT_KEY,
  FIREHOSE_KEY,
  knownArchive,
  ROOM_A,
  ROOM_B,
  roomKey,
  writeArchiveFolder,
} from '../../helpers/backtest-archive.js';
import { REPO_ROOT } from '../../helpers/run-command.js';

const policy = (file: string) => compilePolicy(loadPolicyFile(path.join(REPO_ROOT, file)), { compileRegex });

const OPTIONS: BacktestOptions = {
  baseline: policy('config/default-policy.yaml'),
  candidate: policy('config/policies/strict.yaml'),
  limits: { maxObjectBytes: 1024 * 1024, maxLineBytes: 64 * 1024 },
  examples: 2,
};

describe('runBacktest on a known archive (default policy → strict)', () => {
  let folder: string;
  let report: BacktestReport;

  beforeAll(async () => {
    folder = await writeArchiveFolder(knownArchive());
    report = await runBacktest(folderArchive(folder), OPTIONS);
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  it('counts objects, messages per room, events, redacted records and bad input with its place', () => {
    expect(report.archive).toBe(folder);
    expect(report.objects).toEqual({
      listed: 5,
      read: 3,
      ignored: 1,
      failed: 1,
      failures: [
        { key: CORRUPT_KEY, afterLine: 0, reason: 'not a readable gzip object: incorrect header check' },
      ],
    });
    expect(report.rooms).toEqual({ '(unknown)': 2, [ROOM_A]: 6, [ROOM_B]: 4 });
    expect(report.events).toBe(1);
    expect(report.skipped).toEqual({ [REDACTED]: 1 });
    expect(report.maskedContent).toBe(2);
    expect(report.invalid).toEqual({
      count: 2,
      reasons: [
        { reason: 'not JSON', count: 1, places: [`${roomKey(ROOM_A, 'aaaa1111')}:5`] },
        { reason: 'payload.Id is missing', count: 1, places: [`${roomKey(ROOM_B, 'cccc3333')}:3`] },
      ],
    });
  });

  it('gives the verdict transitions', () => {
    expect(report.comparison.messages).toBe(12);
    expect(report.comparison.changed).toBe(7);
    expect(report.comparison.transitions).toEqual({
      ALLOW: { ALLOW: 4, 'ALLOW-masked': 0, DENY: 6 },
      'ALLOW-masked': { ALLOW: 0, 'ALLOW-masked': 0, DENY: 1 },
      DENY: { ALLOW: 0, 'ALLOW-masked': 0, DENY: 1 },
    });
  });

  it('gives each rule that acts differently, with capped examples showing the match', () => {
    const counts = Object.fromEntries(
      report.comparison.rules.map(({ ruleId, changes }) => [
        ruleId,
        Object.fromEntries(Object.entries(changes).map(([change, bucket]) => [change, bucket.count])),
      ]),
    );
    // The slur is denied by both and the moderator is exempt from both: neither shows.
    expect(counts).toEqual({
      links: { 'newly-denies': 3 },
      profanity: { 'newly-denies': 2, 'denies-instead-of-masking': 1 },
      shouting: { 'newly-denies': 1 },
    });
    const links = report.comparison.rules.find((rule) => rule.ruleId === 'links');
    expect(links?.changes['newly-denies']?.examples).toEqual([
      {
        messageId: 'a-link',
        roomId: ROOM_A,
        sendTime: '2026-11-27T18:00:01.123456789Z',
        text: 'see «example.com» now',
        matched: 'example.com',
        before: 'ALLOW',
        after: 'DENY',
      },
      {
        messageId: 'b-link',
        roomId: ROOM_B,
        sendTime: '2026-11-27T18:00:07.123456789Z',
        text: 'check «example.org»',
        matched: 'example.org',
        before: 'ALLOW',
        after: 'DENY',
      },
    ]);
    const profanity = report.comparison.rules.find((rule) => rule.ruleId === 'profanity');
    expect(profanity?.changes['newly-denies']?.examples.map((example) => example.messageId)).toEqual([
      'a-damn',
      'f-crap',
    ]);
    expect(profanity?.changes['newly-denies']?.examples[1]).toMatchObject({
      roomId: '(unknown)',
      text: '«crap»',
    });
    expect(profanity?.changes['denies-instead-of-masking']?.examples).toEqual([
      expect.objectContaining({
        messageId: 'a-shit',
        text: 'oh «shit»',
        before: 'ALLOW-masked',
        after: 'DENY',
      }),
    ]);
  });

  it('formats a readable, aligned text report', () => {
    const text = formatBacktest(report, {
      baseline: { file: 'config/default-policy.yaml', name: 'default' },
      candidate: { file: 'config/policies/strict.yaml', name: 'strict' },
    });
    expect(text).toContain(
      [
        'verdicts, baseline (rows) → candidate (columns): 7 changed (58.3%)',
        '                ALLOW  ALLOW-masked  DENY',
        '  ALLOW             4             0     6',
        '  ALLOW-masked      0             0     1',
        '  DENY              0             0     1',
      ].join('\n'),
    );
    expect(text).toContain(
      [
        'rules:',
        '  rule       newly acts on  no longer acts on  action changed on',
        '  links                  3                  0                  0',
        '  profanity              2                  0                  1',
        '  shouting               1                  0                  0',
      ].join('\n'),
    );
    expect(text).toContain(
      [
        '  links newly denies 3 messages (2 shown):',
        `    2026-11-27T18:00:01.123456789Z  room ${ROOM_A}  message a-link  ALLOW → DENY`,
        '      "see «example.com» now"  (matched "example.com")',
      ].join('\n'),
    );
    expect(text).toContain(`  not JSON (1): ${roomKey(ROOM_A, 'aaaa1111')}:5`);
    expect(text).toContain(`  ${CORRUPT_KEY}: not a readable gzip object: incorrect header check`);
    expect(text).toContain(`  ${REDACTED}  1`);
  });

  it('reports no changes when a policy is compared with itself', async () => {
    const same = await runBacktest(folderArchive(folder), { ...OPTIONS, candidate: OPTIONS.baseline });
    expect(same.comparison).toMatchObject({ messages: 12, changed: 0, rules: [] });
  });

  it('swapping the policies swaps the changes', async () => {
    const back = await runBacktest(folderArchive(folder), {
      ...OPTIONS,
      baseline: OPTIONS.candidate,
      candidate: OPTIONS.baseline,
    });
    expect(back.comparison.transitions.DENY).toEqual({ ALLOW: 6, 'ALLOW-masked': 1, DENY: 1 });
    expect(back.comparison.rules.find((rule) => rule.ruleId === 'links')?.changes).toEqual({
      'no-longer-denies': expect.objectContaining({ count: 3 }),
    });
  });
});

describe('runBacktest input handling', () => {
  const source = (objects: Record<string, Readable | Error>, listError?: Error): ArchiveSource => ({
    description: 'test://archive',
    async *listKeys() {
      for (const key of Object.keys(objects)) yield key;
      if (listError !== undefined) throw listError;
    },
    openObject: async (key) => {
      const object = objects[key];
      if (object === undefined || object instanceof Error) throw object ?? new Error('no such key');
      return object;
    },
  });

  it('counts an object that cannot be opened, and goes on', async () => {
    const report = await runBacktest(
      source({
        'a.log': new Error('AccessDenied'),
        'b.log': Readable.from([`${JSON.stringify({ nope: 1 })}\n`]),
      }),
      OPTIONS,
    );
    expect(report.objects).toMatchObject({ listed: 2, read: 1, failed: 1 });
    expect(report.objects.failures).toEqual([
      { key: 'a.log', afterLine: 0, reason: 'cannot be opened: AccessDenied' },
    ]);
    expect(report.invalid.reasons).toEqual([
      { reason: 'event_timestamp is not a date-time', count: 1, places: ['b.log:1'] },
    ]);
  });

  it('fails the run when the listing fails, even part way', async () => {
    await expect(
      runBacktest(source({ 'a.log': Readable.from([]) }, new Error('ExpiredToken')), OPTIONS),
    ).rejects.toThrow(new ArchiveListError('test://archive', 'ExpiredToken'));
  });

  it('keeps at most 20 places per reason, and every count', async () => {
    const report = await runBacktest(source({ 'many.log': Readable.from(['x\n'.repeat(50)]) }), OPTIONS);
    expect(report.invalid.count).toBe(50);
    expect(report.invalid.reasons[0]?.places).toHaveLength(20);
    expect(report.invalid.reasons[0]?.places[19]).toBe('many.log:20');
  });

  it('reads the room from IVS keys only', () => {
    expect(roomIdFromKey(roomKey(ROOM_A, 'x'))).toBe(ROOM_A);
    expect(roomIdFromKey(FIREHOSE_KEY)).toBeUndefined();
  });
});

describe('runBacktest memory', () => {
  it('streams: 100 MB of records replay with the heap growing by a fraction of that', async () => {
    const padding = 'p'.repeat(300);
    const event = (index: number) =>
      `${JSON.stringify({
        event_timestamp: '2026-11-27T18:00:00.000Z',
        type: 'EVENT',
        version: '1.0',
        payload: {
          Id: `e${index}`,
          EventName: 'app:padding',
          Attributes: { padding },
          SendTime: '2026-11-27T18:00:00.000000000Z',
        },
      })}\n`;
    const lineBytes = Buffer.byteLength(event(0));
    const lines = Math.ceil((100 * 1024 * 1024) / lineBytes);
    // Generated as it is read, a thousand lines a chunk: the archive never exists whole, here or in the reader.
    async function* generate() {
      for (let start = 0; start < lines; start += 1000) {
        let chunk = '';
        for (let index = start; index < Math.min(lines, start + 1000); index++) chunk += event(index);
        yield Buffer.from(chunk);
        // Sampled here: the replay never waits on a timer, so an interval would not fire until it ends.
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      }
    }
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    const source: ArchiveSource = {
      description: 'generated',
      async *listKeys() {
        yield 'big.log';
      },
      openObject: async () => Readable.from(generate()),
    };
    const report = await runBacktest(source, {
      ...OPTIONS,
      limits: { maxObjectBytes: 1024 * 1024 * 1024, maxLineBytes: 64 * 1024 },
    });
    expect(report.events).toBe(lines);
    expect(peak - before).toBeLessThan(48 * 1024 * 1024);
  }, 60_000);
});
