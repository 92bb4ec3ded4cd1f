import { describe, expect, it } from 'vitest';
import { parseChatLogRecord } from '../../../shared/chat-logs/chat-log-record.js';
import type { ModerationDeps } from '../../../shared/enforcement/moderate-batch.js';
import { moderateRoomBatch } from '../../../shared/enforcement/moderate-batch.js';
import type { EnforcementAction } from '../../../shared/enforcement/plan-enforcement.js';
import { loadPolicyFile } from '../../../shared/policy/load-policy-file.js';
import type { CompiledPolicy } from '../../../shared/rules/compile-policy.js';
import { compilePolicy } from '../../../shared/rules/compile-policy.js';
import { compileRegex } from '../../../shared/rules/linear-regex.js';
import { RoomPolicies } from '../../../shared/rules/room-policies.js';
import { chatLogLine } from '../../helpers/chat-log-lines.js';
import { DEFAULT_POLICY_PATH, defaultPolicy } from '../../helpers/default-policy.js';
import { MemoryEnforcementStore } from '../../helpers/memory-enforcement-store.js';

const STRICT = loadPolicyFile(DEFAULT_POLICY_PATH.replace('default-policy.yaml', 'policies/strict.yaml'));
const KIDS = 'arn:aws:ivschat:us-east-1:123456789012:room/kidsRoom0001';
const LOBBY = 'arn:aws:ivschat:us-east-1:123456789012:room/lobbyRoom001';

function loggedLink() {
  const parsed = parseChatLogRecord(
    JSON.parse(chatLogLine('viewer', new Date(1_700_000_000_000), 'see example.com/events')),
  );
  if (!parsed.ok || parsed.record.type !== 'MESSAGE') throw new Error('the fixture line is not a message');
  return parsed.record;
}

describe('chat log enforcement under each room’s assigned policy', () => {
  const policies = new RoomPolicies(defaultPolicy, { strict: STRICT }, (document) =>
    compilePolicy(document, { compileRegex }),
  );
  const assignments = new Map([[KIDS, 'strict']]);
  const deps = (executed: EnforcementAction[]): ModerationDeps => ({
    policy: policies.defaultPolicy,
    policyFor: async (roomArn): Promise<CompiledPolicy> => policies.resolve(assignments.get(roomArn)).policy,
    store: new MemoryEnforcementStore(),
    now: () => 1_700_000_005_000,
    execute: async (actions) => {
      executed.push(...actions);
      return actions.map((action) => ({ action, status: 'done', attempts: 1, throttles: 0 }));
    },
  });

  it('re-checks a delivered link with the strict policy in the kids’ room, and leaves it in the lobby', async () => {
    const executed: EnforcementAction[] = [];
    const kids = await moderateRoomBatch(KIDS, [loggedLink()], deps(executed));
    expect(kids.policy.name).toBe('strict');
    expect(executed.map((action) => action.kind)).toContain('delete-message');

    const lobbyActions: EnforcementAction[] = [];
    const lobby = await moderateRoomBatch(LOBBY, [loggedLink()], deps(lobbyActions));
    expect(lobby.policy.name).toBe(defaultPolicy.name);
    expect(lobbyActions).toEqual([]);
  });

  it('falls back to the stage policy for a name the build does not carry, and says so', () => {
    expect(policies.resolve('retired')).toEqual({ policy: defaultPolicy, unknown: 'retired' });
    expect(policies.resolve(undefined)).toEqual({ policy: defaultPolicy });
    expect(policies.resolve('default')).toEqual({ policy: defaultPolicy });
    // Compiled once, on first use.
    expect(policies.resolve('strict').policy).toBe(policies.resolve('strict').policy);
  });
});
