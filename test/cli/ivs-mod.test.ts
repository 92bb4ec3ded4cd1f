import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '../helpers/run-cli.js';
import { REPO_ROOT, runCommand } from '../helpers/run-command.js';

const BIN = path.join(REPO_ROOT, 'cli/ivs-mod.cjs');
/** The bin as a user runs it: a process of its own, its exit status, its working directory. */
const ivsModBin = (args: string[], input?: string, cwd?: string) =>
  runCommand(process.execPath, [BIN, ...args], {
    ...(input === undefined ? {} : { input }),
    ...(cwd ? { cwd } : {}),
  });
/** The same command in this process: what it prints and returns, without a process start per case. */
const ivsMod = (args: string[], input?: string) => runCliInProcess(args, input);

function jsonLines(stdout: string): unknown[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
}

describe('ivs-mod check', () => {
  it('writes one JSON verdict per input line, in order, with the default policy', async () => {
    const { code, stdout, stderr } = await ivsModBin(
      ['check'],
      'hello there\nyou are a faggot\nwhat the fuck\n\n',
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const [clean, slur, profane, empty] = jsonLines(stdout);
    expect(clean).toEqual({ result: 'ALLOW', content: 'hello there', matches: [] });
    expect(slur).toMatchObject({
      result: 'DENY',
      content: '',
      reason: 'Your message was not sent because it contains a slur.',
      matches: expect.arrayContaining([
        {
          ruleId: 'slurs',
          action: 'deny',
          severity: 'high',
          term: 'faggot*',
          start: 10,
          end: 16,
          exempt: false,
          text: 'faggot',
        },
      ]),
    });
    expect(profane).toMatchObject({ result: 'ALLOW', content: 'what the ****', masked: true });
    expect(empty).toEqual({ result: 'ALLOW', content: '', matches: [] });
  });

  it('works from any directory and with CRLF input', async () => {
    const { code, stdout } = await ivsModBin(['check'], 'oh shit\r\nfine\r\n', tmpdir());
    expect(code).toBe(0);
    expect(jsonLines(stdout).map((line) => (line as { content: string }).content)).toEqual([
      'oh ****',
      'fine',
    ]);
  });

  it('applies exemptions from --sender-attribute', async () => {
    const { stdout } = await ivsMod(['check', '--sender-attribute', 'role=moderator'], 'fuck\n');
    expect(jsonLines(stdout)[0]).toMatchObject({
      result: 'ALLOW',
      content: 'fuck',
      matches: [{ exempt: true }],
    });
  });

  it('uses the policy given with --policy', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'ivs-mod-'));
    const policy = path.join(directory, 'strict.yaml');
    writeFileSync(
      policy,
      'version: 1\nname: strict\nrules:\n  - {id: no-heck, kind: terms, action: deny, severity: low, reason: No heck., terms: [heck]}\n',
    );
    const { stdout } = await ivsMod(['check', '--policy', policy], 'oh heck\noh fuck\n');
    expect(jsonLines(stdout)).toMatchObject([
      { result: 'DENY', reason: 'No heck.' },
      { result: 'ALLOW', content: 'oh fuck' },
    ]);
  });

  it('exits non-zero naming file, line, path and problem for a malformed policy', async () => {
    const { code, stdout, stderr } = await ivsModBin(
      ['check', '--policy', 'test/fixtures/policies/invalid.yaml'],
      'hi\n',
    );
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(
      'test/fixtures/policies/invalid.yaml:6:13: rules[0].action: must be one of deny, hold, mask (got "block")',
    );
  });

  it('rejects unknown options with usage', async () => {
    const { code, stderr } = await ivsModBin(['check', '--polcy', 'x']);
    expect(code).toBe(2);
    expect(stderr).toContain('Usage: ivs-mod');
  });
});

describe('ivs-mod explain', () => {
  it('prints the verdict, each matched rule with its span, and the normalization steps it took', async () => {
    const { code, stdout, stderr } = await ivsMod(['explain', 'you are a fuсk1ng legend']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.split('\n')).toEqual([
      'message: "you are a fuсk1ng legend"',
      'verdict: ALLOW, masked: "you are a ******* legend"',
      'rule profanity (mask, medium): "fuсk1ng" at 10–17, matched "fuck*"',
      '  seen through: lookalike letters read as Latin (Cyrillic, Greek, small capitals): "с" U+0441 → "c"',
      '  seen through: digits and symbols read as letters: "1" U+0031 → "i"',
      '',
    ]);
  });

  it('prints JSON with --json, and honours sender attributes', async () => {
    const { code, stdout } = await ivsMod([
      'explain',
      '--json',
      '--sender-attribute',
      'role=moderator',
      'you faggot',
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      decision: { verdict: 'allow' },
      matches: [{ ruleId: 'slurs', exempt: true, text: 'faggot', start: 4, end: 10, steps: [] }],
    });
  });

  it('needs exactly one message', async () => {
    const { code, stderr } = await ivsMod(['explain']);
    expect(code).toBe(2);
    expect(stderr).toContain('explain takes one MESSAGE');
  });
});

describe('ivs-mod policy validate', () => {
  it('confirms a valid policy', async () => {
    const { code, stdout } = await ivsMod(['policy', 'validate', 'config/default-policy.yaml']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^config\/default-policy\.yaml: valid policy "default": 2 rules, \d+ terms\n$/);
  });

  it('lists every problem of an invalid policy and exits 1', async () => {
    const { code, stderr } = await ivsMod(['policy', 'validate', 'test/fixtures/policies/invalid.yaml']);
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(8);
  });

  it('needs a file', async () => {
    expect((await ivsMod(['policy', 'validate'])).code).toBe(2);
    expect((await ivsMod([])).code).toBe(2);
  });
});

describe('npm run -s cli', () => {
  it('is the same command', async () => {
    const { code, stdout } = await runCommand('npm', ['run', '-s', 'cli', '--', 'check'], {
      input: 'hello there\nyou are a faggot\n',
    });
    expect(code).toBe(0);
    expect(jsonLines(stdout).map((line) => (line as { result: string }).result)).toEqual(['ALLOW', 'DENY']);
  });
});
