import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_POLICY_FILE } from '../../build/review-policy-plugin.js';

export const HOLD_REASON = 'Your message is waiting for a moderator.';

/** The shipped policy with links held for a moderator, written to `directory`; its file. */
export async function holdingPolicy(directory: string): Promise<string> {
  const shipped = await readFile(DEFAULT_POLICY_FILE, 'utf8');
  const holding = shipped.replace(
    /^rules:\n/m,
    `rules:\n  - { id: held-links, kind: links, action: hold, severity: low, reason: "${HOLD_REASON}" }\n`,
  );
  if (holding === shipped) throw new Error('the shipped policy has no rules: line');
  const file = path.join(directory, 'holding.yaml');
  await writeFile(file, holding);
  return file;
}
