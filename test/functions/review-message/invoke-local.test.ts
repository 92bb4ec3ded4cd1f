import { describe, expect, it } from 'vitest';
import { isRecord } from '../../../shared/guards.js';
import { eventScenarios } from '../../helpers/load-event.js';
import { runCommand } from '../../helpers/run-command.js';

/** The last JSON object `sls invoke local` prints: the handler's response. */
function lastJsonObject(stdout: string): unknown {
  const start = stdout.lastIndexOf('\n{\n');
  return JSON.parse(stdout.slice(start < 0 ? stdout.indexOf('{') : start + 1));
}

describe('sls invoke local', () => {
  it('answers every events/review-message sample through the packaged build', async () => {
    const results: Record<string, unknown> = {};
    for (const scenario of eventScenarios('review-message')) {
      const { code, stdout, stderr } = await runCommand('npx', [
        'sls',
        'invoke',
        'local',
        '-f',
        'reviewMessage',
        '-p',
        `events/review-message/${scenario}.json`,
      ]);
      expect(code, stderr).toBe(0);
      const response = lastJsonObject(stdout);
      results[scenario] = isRecord(response) ? response.ReviewResult : response;
    }
    expect(results).toEqual({
      'allow-plain': 'ALLOW',
      'deny-slur': 'DENY',
      'exempt-moderator': 'ALLOW',
      malformed: 'DENY',
      'mask-profanity': 'ALLOW',
      'spoofed-exemption': 'ALLOW',
    });
  }, 180_000);
});
