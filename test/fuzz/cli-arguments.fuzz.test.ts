import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseS3Url } from '../../cli/s3-archive.js';
import { parseTranscript } from '../../local/review-transcript.js';
import { fuzzParameters, hostileString } from '../helpers/fuzz.js';
import { runCliInProcess } from '../helpers/run-cli.js';

/**
 * ivs-mod's arguments and input: any command line ends with exit code 0, 1 (a policy or an archive that cannot
 * be used) or 2 (usage, printed), never with an uncaught error. The commands that call AWS or bundle the
 * functions are left out: their arguments go through the same parseArgs and parsers, fuzzed on their own.
 */

const EVERY_KIND = path.resolve(__dirname, '../fixtures/policies/every-kind.yaml');
const INVALID = path.resolve(__dirname, '../fixtures/policies/invalid.yaml');

const run = runCliInProcess;

const token = fc.oneof(
  fc.constantFrom(
    '--policy',
    '--sender-attribute',
    '--json',
    '--archive',
    '--baseline',
    '--examples',
    '--max-object-mib',
    '--bogus',
    '-x',
    '--',
    'validate',
    'role=moderator',
    '=x',
    'x=',
    '-1',
    '3',
    '1e3',
    EVERY_KIND,
    INVALID,
    '/nonexistent/policy.yaml',
    path.resolve(__dirname, '../fixtures'),
  ),
  hostileString.filter((text) => !text.includes('\u0000')),
);
const command = fc.constantFrom(
  'check',
  'explain',
  'policy',
  'backtest',
  'help',
  '--help',
  '-h',
  '',
  'banana',
  '__proto__',
);
/** Mostly with a small policy: the shipped one takes a while to build, and each run builds it again. */
const argv = fc
  .tuple(command, fc.array(token, { maxLength: 6 }), fc.integer({ min: 0, max: 9 }))
  .map(([name, args, dice]) => [name, ...(dice < 8 ? ['--policy', EVERY_KIND] : []), ...args]);

describe('fuzz: ivs-mod arguments', () => {
  it('ends any command line with 0, 1 or 2, saying why on stderr when it is not 0', async () => {
    await fc.assert(
      fc.asyncProperty(argv, fc.array(hostileString, { maxLength: 3 }), async (args, lines) => {
        const { code, stderr } = await run(args, lines.join('\n'));
        expect([0, 1, 2]).toContain(code);
        if (code !== 0) expect(stderr).toMatch(/\S/);
      }),
      fuzzParameters(10),
    );
  });

  it('answers every line check reads with one JSON verdict', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostileString, { minLength: 1, maxLength: 5 }), async (lines) => {
        const input = lines.map((line) => line.replace(/[\r\n\u2028\u2029]/g, ' ')).join('\n');
        const { code, stdout } = await run(['check', '--policy', EVERY_KIND], `${input}\n`);
        expect(code).toBe(0);
        const verdicts = stdout
          .trimEnd()
          .split('\n')
          .map((line): unknown => JSON.parse(line));
        expect(verdicts).toHaveLength(lines.length);
        for (const verdict of verdicts)
          expect(verdict).toMatchObject({ result: expect.stringMatching(/^(ALLOW|DENY)$/) });
      }),
      fuzzParameters(5),
    );
  });
});

describe('fuzz: ivs-mod’s other inputs', () => {
  it('reads any --archive as an S3 bucket and prefix it writes back the same, or as a folder', () => {
    const location = fc.oneof(
      hostileString,
      fc
        .tuple(
          fc.constantFrom('s3://', 's3:/', 'S3://', ''),
          hostileString,
          fc.constantFrom('', '/'),
          hostileString,
        )
        .map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(location, (text) => {
        const s3 = parseS3Url(text);
        if (s3 === undefined) return;
        expect(s3.bucket).not.toBe('');
        expect(s3.bucket.includes('/')).toBe(false);
        expect([`s3://${s3.bucket}/${s3.prefix}`, `s3://${s3.bucket}`]).toContain(text);
      }),
      fuzzParameters(60),
    );
  });

  it('reads any transcript as its lines, or an error naming the line that is not one', () => {
    const line = fc.oneof(
      hostileString,
      fc
        .tuple(hostileString, fc.constantFrom('', ' (moderator)', ' ()', '('), hostileString)
        .map(([user, role, message]) => `${user}${role}: ${message}`),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 6 }), (lines) => {
        try {
          for (const read of parseTranscript(lines.join('\n'))) {
            expect(read.user).toMatch(/^[^\s:()]+$/);
            expect(read.role).not.toBe('');
          }
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
          if (error instanceof Error) expect(error.message).toMatch(/^transcript line \d+: /);
        }
      }),
      fuzzParameters(60),
    );
  });
});
