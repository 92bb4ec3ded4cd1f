import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTranscript } from '../../local/review-transcript.js';
import { REPO_ROOT, runCommand } from '../helpers/run-command.js';

const BIN = path.join(REPO_ROOT, 'cli/ivs-mod.cjs');

// What `npm start` did before the local stack: now `ivs-mod transcript`.
describe('ivs-mod transcript', () => {
  it('reviews the sample transcript through the bundled handler and prints each verdict', async () => {
    const { code, stdout, stderr } = await runCommand(process.execPath, [BIN, 'transcript']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^review function bundled: \.build\/review-message\/handler\.js \(\d+\.\d KB, policy config\/default-policy\.yaml\)\n/,
    );
    expect(stdout).toContain('reviewing 12 messages from local/sample-transcript.txt');
    expect(stdout).toContain('ALLOW   alice: hey everyone, stream is live!');
    expect(stdout).toContain('MASKED  bob: that boss fight was ******* amazing  [profanity]');
    expect(stdout).toContain(
      'DENY    troll42: (not delivered) reason: "Your message was not sent because it contains a slur."',
    );
    expect(stdout).toContain('ALLOW   mod_sam (moderator): please don\'t post "fuck" spam, thanks');
    expect(stdout).toContain('7 allowed, 4 masked, 1 denied');
  });

  it('names a transcript it cannot read, without a stack trace', async () => {
    const { code, stdout, stderr } = await runCommand(process.execPath, [
      BIN,
      'transcript',
      'no-such-file.txt',
    ]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /^ivs-mod transcript: ENOENT: no such file or directory, open '.*no-such-file\.txt'\n$/,
    );
  });
});

describe('parseTranscript', () => {
  it('reads users, roles and messages and skips comments', () => {
    expect(parseTranscript('# c\nann: hi: there\nbo (moderator): yo\n\n')).toEqual([
      { user: 'ann', role: 'viewer', message: 'hi: there' },
      { user: 'bo', role: 'moderator', message: 'yo' },
    ]);
  });

  it('names the line it cannot read', () => {
    expect(() => parseTranscript('ok: fine\nno colon here')).toThrow('transcript line 2');
  });
});
