import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { bundleReviewFunction } from '../build/bundle-review-function.js';
import { isRecord } from '../shared/guards.js';
import { lambdaContext } from './lambda-context.js';
import { loadHandler } from './load-function.js';

/**
 * `ivs-mod transcript`: bundles the review function exactly as `sls package`
 * does, then sends every line of a chat transcript through it as IVS would,
 * and prints each verdict.
 */

const ROOT = path.resolve(__dirname, '..');
export const SAMPLE_TRANSCRIPT = path.join(__dirname, 'sample-transcript.txt');
const ROOM_ARN = 'arn:aws:ivschat:us-east-1:123456789012:room/LocalRoom001';
const LINE = /^(?<user>[^\s:()]+)(?: \((?<role>[^)]+)\))?: (?<message>.*)$/;

export interface TranscriptLine {
  readonly user: string;
  readonly role: string;
  readonly message: string;
}

export function parseTranscript(text: string): TranscriptLine[] {
  return text.split(/\r?\n/).flatMap((line, index) => {
    if (line.trim() === '' || line.startsWith('#')) return [];
    const groups = LINE.exec(line)?.groups;
    if (groups?.user === undefined || groups.message === undefined) {
      throw new Error(`transcript line ${index + 1}: expected "user: message" or "user (role): message"`);
    }
    return [{ user: groups.user, role: groups.role ?? 'viewer', message: groups.message }];
  });
}

function messageId(): string {
  // IVS message ids are 12 characters of [a-zA-Z0-9].
  return randomBytes(12)
    .toString('base64')
    .replace(/[^a-zA-Z0-9]/g, 'x')
    .slice(0, 12);
}

function describe(response: unknown, line: TranscriptLine): string {
  if (!isRecord(response) || !isRecord(response.Attributes)) return `INVALID ${JSON.stringify(response)}`;
  const who = line.role === 'viewer' ? line.user : `${line.user} (${line.role})`;
  const rules = response.Attributes['moderation.rules'];
  const ruleNote = typeof rules === 'string' && rules !== '' ? `  [${rules}]` : '';
  if (response.ReviewResult === 'DENY') {
    return `DENY    ${who}: (not delivered) reason: "${String(response.Attributes.Reason)}"${ruleNote}`;
  }
  const masked = response.Attributes['moderation.result'] === 'masked';
  return `${masked ? 'MASKED' : 'ALLOW '}  ${who}: ${String(response.Content)}${ruleNote}`;
}

export async function reviewTranscript(
  transcriptFile: string,
  policyFile: string,
  out: NodeJS.WritableStream,
) {
  const lines = parseTranscript(readFileSync(transcriptFile, 'utf8'));
  const { outfile, bytes } = await bundleReviewFunction(
    path.join(ROOT, '.build/review-message/handler.js'),
    policyFile,
  );
  out.write(
    `review function bundled: ${path.relative(ROOT, outfile)} (${(bytes / 1024).toFixed(1)} KB, policy ${path.relative(ROOT, policyFile)})\n`,
  );
  out.write(`reviewing ${lines.length} messages from ${path.relative(ROOT, transcriptFile)}\n\n`);
  const handler = loadHandler(outfile);
  const counts = { ALLOW: 0, MASKED: 0, DENY: 0 };
  for (const line of lines) {
    const event = {
      Content: line.message,
      MessageId: messageId(),
      RoomArn: ROOM_ARN,
      Attributes: {},
      Sender: { UserId: line.user, Attributes: { role: line.role }, Ip: '127.0.0.1' },
    };
    const response = await handler(event, lambdaContext('ivs-chat-moderation-local-reviewMessage'));
    const text = describe(response, line);
    counts[text.startsWith('DENY') ? 'DENY' : text.startsWith('MASKED') ? 'MASKED' : 'ALLOW']++;
    out.write(`${text}\n`);
  }
  out.write(`\n${counts.ALLOW} allowed, ${counts.MASKED} masked, ${counts.DENY} denied\n`);
}
