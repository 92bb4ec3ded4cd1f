import { parseChatLogRecord } from '../../shared/chat-logs/chat-log-record.js';
import { EMPTY_USER_STATE, planEnforcement } from '../../shared/enforcement/plan-enforcement.js';
import type { CompiledPolicy } from '../../shared/rules/compile-policy.js';
import { chatLogLine } from './chat-log-lines.js';

/** What the chat-log re-check does with one delivered message from a fresh user: deleted? strikes? */
export function plainPlanFor(content: string, policy: CompiledPolicy): { deleted: boolean; strikes: number } {
  const parsed = parseChatLogRecord(JSON.parse(chatLogLine('u1', new Date(1_700_000_000_000), content)));
  if (!parsed.ok || parsed.record.type !== 'MESSAGE') throw new Error('not a message line');
  const plan = planEnforcement({
    roomArn: 'arn:aws:ivschat:us-east-1:123456789012:room/abc',
    messages: [parsed.record],
    policy: {
      ...policy,
      document: { ...policy.document, enforcement: { ...policy.document.enforcement, recheck: true } },
    },
    users: new Map([['u1', EMPTY_USER_STATE]]),
    nowMillis: 1_700_000_001_000,
  });
  return {
    deleted: plan.actions.some((action) => action.kind === 'delete-message'),
    strikes: plan.users.get('u1')?.strikes.length ?? 0,
  };
}
