import { describeValue } from '../config/raw-document.js';
import type { Sanction } from '../enforcement/escalation.js';
import { isInForce } from '../enforcement/escalation.js';
import { isRecord } from '../guards.js';

/**
 * A chat token request from the operator's backend, validated, and the
 * decision whether the user may have one: a banned or timed-out user is
 * refused, with the expiry, so the app can tell them. IVS itself has no bans:
 * without this check a disconnected user would simply ask for a new token.
 */

export const CAPABILITIES = ['SEND_MESSAGE', 'DISCONNECT_USER', 'DELETE_MESSAGE'] as const;
export type Capability = (typeof CAPABILITIES)[number];

export interface ChatTokenRequest {
  readonly roomArn: string;
  readonly userId: string;
  readonly capabilities: readonly Capability[];
  readonly sessionDurationInMinutes: number;
  /** Minted by the server: exemptions and client UIs read them, so only the backend may set them. */
  readonly attributes: Readonly<Record<string, string>>;
}

const ROOM_ARN = /^arn:aws:ivschat:[a-z0-9-]+:[0-9]+:room\/[a-zA-Z0-9-]+$/;
/** IVS: "maximum length … 1 KB total" for a token's attributes. */
const MAX_ATTRIBUTE_BYTES = 1024;

export function parseChatTokenRequest(
  input: unknown,
):
  | { readonly ok: true; readonly request: ChatTokenRequest }
  | { readonly ok: false; readonly problems: string[] } {
  if (!isRecord(input)) return { ok: false, problems: ['the request must be a JSON object'] };
  const problems: string[] = [];
  const known = new Set(['roomArn', 'userId', 'capabilities', 'sessionDurationInMinutes', 'attributes']);
  for (const field of Object.keys(input)) if (!known.has(field)) problems.push(`${field}: unknown field`);
  const { roomArn, userId } = input;
  if (typeof roomArn !== 'string' || !ROOM_ARN.test(roomArn)) problems.push('roomArn: an IVS Chat room ARN');
  if (typeof userId !== 'string' || [...userId].length < 1 || [...userId].length > 128) {
    problems.push('userId: 1 to 128 characters');
  }
  const capabilities: Capability[] = [];
  if (input.capabilities === undefined) capabilities.push('SEND_MESSAGE');
  else if (!Array.isArray(input.capabilities))
    problems.push(`capabilities: a list of ${CAPABILITIES.join(', ')}`);
  else {
    for (const value of input.capabilities) {
      const capability = CAPABILITIES.find((known) => known === value);
      if (capability === undefined)
        // describeValue, not String(): {"toString": 1} cannot be made a string, and throwing is a 500.
        problems.push(`capabilities: ${describeValue(value)} is not one of ${CAPABILITIES.join(', ')}`);
      else if (!capabilities.includes(capability)) capabilities.push(capability);
    }
  }
  const duration = input.sessionDurationInMinutes ?? 60;
  if (typeof duration !== 'number' || !Number.isInteger(duration) || duration < 1 || duration > 180) {
    problems.push('sessionDurationInMinutes: a whole number from 1 to 180');
  }
  // Entries, not assignment: an attribute named `__proto__` must stay an attribute.
  const entries: [string, string][] = [];
  if (input.attributes !== undefined) {
    if (!isRecord(input.attributes)) problems.push('attributes: an object of strings');
    else {
      for (const [key, value] of Object.entries(input.attributes)) {
        if (typeof value !== 'string') problems.push(`attributes.${key}: a string`);
        else entries.push([key, value]);
      }
      const bytes = Buffer.byteLength(JSON.stringify(Object.fromEntries(entries)));
      if (bytes > MAX_ATTRIBUTE_BYTES)
        problems.push(`attributes: ${bytes} bytes, IVS allows ${MAX_ATTRIBUTE_BYTES}`);
    }
  }
  if (
    problems.length > 0 ||
    typeof roomArn !== 'string' ||
    typeof userId !== 'string' ||
    typeof duration !== 'number'
  ) {
    return { ok: false, problems };
  }
  return {
    ok: true,
    request: {
      roomArn,
      userId,
      capabilities,
      sessionDurationInMinutes: duration,
      attributes: Object.fromEntries(entries),
    },
  };
}

export type TokenRefusal =
  | { readonly error: 'banned'; readonly message: string }
  | { readonly error: 'timed-out'; readonly message: string; readonly until: string };

/** Why the user may not have a token now, or undefined when they may. */
export function refusalFor(sanction: Sanction | undefined, nowMillis: number): TokenRefusal | undefined {
  if (sanction === undefined || !isInForce(sanction, nowMillis)) return undefined;
  if (sanction.kind === 'ban') {
    return { error: 'banned', message: `You are banned from this room: ${sanction.reason}` };
  }
  const until = new Date(sanction.untilMillis).toISOString();
  return { error: 'timed-out', message: `You are timed out until ${until}: ${sanction.reason}`, until };
}
