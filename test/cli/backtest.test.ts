import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CORRUPT_KEY,
  knownArchive,
  ROOM_A,
  ROOM_B,
  writeArchiveFolder,
} from '../helpers/backtest-archive.js';
import { runCliInProcess } from '../helpers/run-cli.js';
import { REPO_ROOT, runCommand } from '../helpers/run-command.js';

const BIN = path.join(REPO_ROOT, 'cli/ivs-mod.cjs');
const STRICT = path.join(REPO_ROOT, 'config/policies/strict.yaml');
const DEFAULT = path.join(REPO_ROOT, 'config/default-policy.yaml');
/** The bin as a user runs it, for the report itself; the failure and usage cases run in this process. */
const ivsModBin = (args: string[]) => runCommand(process.execPath, [BIN, ...args]);
const ivsMod = (args: string[]) => runCliInProcess(args);

describe('ivs-mod backtest', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await writeArchiveFolder(knownArchive());
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  it('reports the changes from the shipped policy to a candidate, as text, and exits 0', async () => {
    const { code, stdout, stderr } = await ivsModBin(['backtest', '--archive', folder, '--policy', STRICT]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(
      `baseline:  ${DEFAULT} (policy "default")\ncandidate: ${STRICT} (policy "strict")\n`,
    );
    expect(stdout).toContain(
      `archive:   ${folder}: 5 objects, 3 read, 1 failed, 1 processing-failed ignored\n`,
    );
    expect(stdout).toContain(
      ['messages replayed: 12', '  room (unknown)     2', `  room ${ROOM_A}  6`, `  room ${ROOM_B}  4`].join(
        '\n',
      ),
    );
    expect(stdout).toContain('verdicts, baseline (rows) → candidate (columns): 7 changed (58.3%)');
    // Three examples by default: all three links.
    expect(stdout.match(/ALLOW → DENY\n {6}"[^"]*«example\.(com|org|net)»/g)).toHaveLength(3);
    expect(stdout).toContain(CORRUPT_KEY);
  });

  it('prints the same report as one JSON object with --json, examples capped by --examples', async () => {
    const { code, stdout } = await ivsMod([
      'backtest',
      '--archive',
      folder,
      '--policy',
      STRICT,
      '--baseline',
      DEFAULT,
      '--json',
      '--examples',
      '1',
    ]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({
      baseline: { file: DEFAULT, name: 'default' },
      candidate: { file: STRICT, name: 'strict' },
      archive: folder,
      objects: { listed: 5, read: 3, ignored: 1, failed: 1 },
      rooms: { '(unknown)': 2, [ROOM_A]: 6, [ROOM_B]: 4 },
      events: 1,
      maskedContent: 2,
      invalid: { count: 2 },
      comparison: { messages: 12, changed: 7 },
    });
    expect(report.comparison.rules[0]).toEqual({
      ruleId: 'links',
      changes: {
        'newly-denies': {
          count: 3,
          examples: [
            {
              messageId: 'a-link',
              roomId: ROOM_A,
              sendTime: '2026-11-27T18:00:01.123456789Z',
              text: 'see «example.com» now',
              matched: 'example.com',
              before: 'ALLOW',
              after: 'DENY',
            },
          ],
        },
      },
    });
  });

  it('exits 1 when the archive cannot be read at all', async () => {
    const missing = await ivsMod(['backtest', '--archive', path.join(folder, 'nope'), '--policy', STRICT]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^ivs-mod backtest: cannot list .*nope: ENOENT/);
    expect(missing.stdout).toBe('');

    const onlyCorrupt = await mkdtemp(path.join(tmpdir(), 'backtest-corrupt-'));
    try {
      await writeFile(path.join(onlyCorrupt, 'x.log.gz'), 'not gzip');
      const corrupt = await ivsMod(['backtest', '--archive', onlyCorrupt, '--policy', STRICT]);
      expect(corrupt.code).toBe(1);
      expect(corrupt.stdout).toContain('x.log.gz: not a readable gzip object: incorrect header check');
      expect(corrupt.stderr).toBe(`ivs-mod backtest: no object in ${onlyCorrupt} could be read\n`);
    } finally {
      await rm(onlyCorrupt, { recursive: true, force: true });
    }
  });

  it('exits 1 on an invalid policy, printing it as every command does', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'backtest-policy-'));
    try {
      const bad = path.join(directory, 'bad.yaml');
      await writeFile(bad, 'version: 1\nname: bad\nrules: nope\n');
      const { code, stderr } = await ivsMod(['backtest', '--archive', folder, '--policy', bad]);
      expect(code).toBe(1);
      expect(stderr).toMatch(/^invalid policy:\n.*bad\.yaml:3:\d+: rules: /);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('exits 2 on a usage error, with the usage text', async () => {
    for (const args of [
      ['--policy', STRICT],
      ['--archive', folder],
      ['--archive', folder, '--policy', STRICT, '--examples', 'many'],
      ['--archive', folder, '--policy', STRICT, '--max-object-mib', '0'],
      ['--archive', folder, '--policy', STRICT, '--colour'],
      ['--archive', folder, '--policy', STRICT, 'extra'],
    ]) {
      const { code, stderr, stdout } = await ivsMod(['backtest', ...args]);
      expect(code, args.join(' ')).toBe(2);
      expect(stderr).toMatch(/^ivs-mod backtest: .*\n\nUsage:\n {2}backtest --archive/);
      expect(stdout).toBe('');
    }
  });

  it('is listed in the help', async () => {
    const { stdout } = await ivsMod(['help']);
    expect(stdout).toContain(
      '  backtest --archive FOLDER|s3://BUCKET/PREFIX --policy CANDIDATE [--baseline FILE]',
    );
  });
});
