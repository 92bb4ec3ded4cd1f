import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEvalCorpus } from '../../../bench/scoring.js';
import type { LoggedMessage } from '../../../shared/chat-logs/chat-log-record.js';
import type { UserState } from '../../../shared/enforcement/plan-enforcement.js';
import { planEnforcement } from '../../../shared/enforcement/plan-enforcement.js';
import { normalizeTransient } from '../../../shared/normalization/normalize.js';
import { loadPolicyFile, parsePolicy } from '../../../shared/policy/load-policy-file.js';
import type { PolicyDocument } from '../../../shared/policy/policy-document.js';
import { compilePolicy } from '../../../shared/rules/compile-policy.js';
import { evaluateNormalized } from '../../../shared/rules/evaluate.js';
import { compileRegex } from '../../../shared/rules/linear-regex.js';
import { defaultPolicy } from '../../helpers/default-policy.js';
import { loggedMessage } from '../../helpers/logged-message.js';

const ROOM = 'arn:aws:ivschat:us-east-1:123456789012:room/abc123DEF456';
const policy = compilePolicy(
  parsePolicy(
    `version: 1
name: enforcement
exemptions:
  - { senderAttribute: role, values: [moderator] }
rules:
  - { id: slurs, kind: terms, action: deny, severity: high, reason: No slurs., terms: [slurword] }
  - { id: words, kind: terms, action: mask, severity: low, reason: Keep it clean., terms: [heck] }
enforcement:
  flood: { maxMessages: 3, windowSeconds: 10 }
  duplicates: { maxRepeats: 2, windowSeconds: 60 }
  recheck: true
  ladder:
    - { strikes: 1, action: warn }
    - { strikes: 2, action: timeout, minutes: 10 }
    - { strikes: 3, action: disconnect }
    - { strikes: 4, action: ban }
`,
    'enforcement.yaml',
  ),
);

const logged = loggedMessage;
const plan = (messages: LoggedMessage[], users: ReadonlyMap<string, UserState> = new Map()) =>
  planEnforcement({ roomArn: ROOM, messages, policy, users, nowMillis: 1_000_000 });

describe('planEnforcement', () => {
  it('leaves ordinary chat alone', () => {
    const result = plan([logged('ann', 0, 'hi'), logged('bob', 1, 'hello'), logged('ann', 5, 'how are you')]);
    expect(result.actions).toEqual([]);
    expect(result.outcomes.every((outcome) => !outcome.deleted && outcome.ruleIds.length === 0)).toBe(true);
  });

  it('plans nothing again for a redelivered batch, yet gives each message the outcome it had (what an archive keeps)', () => {
    const messages = [
      ...[0, 1, 2, 3].map((second) => logged('spammer', second, `message ${second}`)),
      logged('ann', 1, 'you slurword'),
      logged('ann', 2, 'oh heck'),
      logged('bob', 3, 'hello'),
    ];
    const first = plan(messages);
    expect(first.actions.length).toBeGreaterThan(0);
    const again = plan(messages, first.users);
    expect(again.actions).toEqual([]);
    expect(again.users).toEqual(first.users);
    const judged = (outcomes: typeof first.outcomes) =>
      outcomes.map(({ messageId, ruleIds, deleted, redact, decision }) => ({
        messageId,
        ruleIds,
        deleted,
        redact,
        verdict: decision?.verdict,
      }));
    expect(judged(again.outcomes)).toEqual(judged(first.outcomes));
    expect(judged(again.outcomes).filter((outcome) => outcome.deleted)).toHaveLength(3);
  });

  it('deletes a whole flood and strikes once per limit’s worth of it, climbing the ladder', () => {
    const messages = [0, 1, 2, 3, 4, 5, 6, 7].map((second) => logged('spammer', second, `message ${second}`));
    const result = plan(messages);
    // Over the limit (3 in 10 s) at the 4th message: a strike; the 8th is another limit's worth: a second one.
    expect(result.actions.map((action) => `${action.kind}:${action.key}`)).toEqual([
      `delete-message:delete:${messages[3]?.id}`,
      `warn:warn:spammer:${messages[3]?.id}`,
      `delete-message:delete:${messages[4]?.id}`,
      `delete-message:delete:${messages[5]?.id}`,
      `delete-message:delete:${messages[6]?.id}`,
      `delete-message:delete:${messages[7]?.id}`,
      `sanction:sanction:spammer:${messages[7]?.id}`,
    ]);
    expect(result.actions[6]).toMatchObject({
      sanction: { kind: 'timeout', untilMillis: 1_000_000 + 600_000 },
    });
    expect(result.users.get('spammer')?.strikes).toHaveLength(2);
  });

  it('acts once when the same batch is delivered again', () => {
    const messages = [0, 1, 2, 3].map((second) => logged('spammer', second, `again ${second}`));
    const first = plan(messages);
    const second = plan(messages, first.users);
    expect(first.actions.length).toBeGreaterThan(0);
    expect(second.actions).toEqual([]);
    expect(second.users.get('spammer')).toEqual(first.users.get('spammer'));
  });

  it('re-checks delivered messages: a denied one is deleted with a strike, a masked one deleted and redacted', () => {
    const denied = logged('troll', 0, 'you slurword');
    const masked = logged('kid', 0, 'what the heck');
    const result = plan([denied, masked]);
    expect(result.actions).toEqual([
      expect.objectContaining({ kind: 'delete-message', messageId: denied.id, reason: 'No slurs.' }),
      expect.objectContaining({ kind: 'warn', userId: 'troll', strikes: 1 }),
      expect.objectContaining({ kind: 'delete-message', messageId: masked.id, reason: 'Keep it clean.' }),
    ]);
    expect(result.outcomes.find((outcome) => outcome.messageId === masked.id)).toMatchObject({
      redact: true,
      ruleIds: [],
    });
  });

  it('counts duplicates across batches, striking once for the run of repeats', () => {
    let users: ReadonlyMap<string, UserState> = new Map();
    const kinds: string[][] = [];
    for (let batch = 0; batch < 4; batch++) {
      const result = plan([logged('bot', batch * 5, 'BUY GOLD at example')], users);
      users = result.users;
      kinds.push(result.actions.map((action) => action.kind));
    }
    expect(kinds).toEqual([[], [], ['delete-message', 'warn'], ['delete-message']]);
  });

  it('strikes every message the re-check denies, and bans at the top of the ladder, disconnecting too', () => {
    let users: ReadonlyMap<string, UserState> = new Map();
    const kinds: string[][] = [];
    for (let batch = 0; batch < 5; batch++) {
      const result = plan([logged('troll', batch * 60, `slurword ${batch}`)], users);
      users = result.users;
      kinds.push(result.actions.map((action) => action.kind));
    }
    expect(kinds).toEqual([
      ['delete-message', 'warn'],
      ['delete-message', 'sanction'],
      ['delete-message', 'disconnect'],
      ['delete-message', 'sanction', 'disconnect'],
      ['delete-message', 'sanction', 'disconnect'],
    ]);
  });

  it('exempts moderators from every post-delivery rule', () => {
    const messages = [0, 1, 2, 3, 4].map((second) => logged('mod', second, 'slurword', 'moderator'));
    expect(plan(messages).actions).toEqual([]);
  });

  it('decides a content repeated within a batch as it decides it alone, whoever sends it', () => {
    // The batch reuses a content's decision: a rule's exemption must still make the difference.
    const ruleExempt = compilePolicy(
      parsePolicy(
        `version: 1
name: rule-exempt
rules:
  - { id: words, kind: terms, action: deny, severity: low, reason: Keep it clean., terms: [heck], exemptions: [{ senderAttribute: role, values: [streamer] }] }
enforcement: { recheck: true }
`,
        'rule-exempt.yaml',
      ),
    );
    const messages = [
      logged('ann', 0, 'what the heck'),
      logged('host', 1, 'what the heck', 'streamer'),
      logged('bob', 2, 'what the heck'),
      logged('host', 3, 'what the heck', 'streamer'),
    ];
    const alone = messages.map(
      (message) =>
        planEnforcement({
          roomArn: ROOM,
          messages: [message],
          policy: ruleExempt,
          users: new Map(),
          nowMillis: 0,
        }).outcomes[0],
    );
    const together = planEnforcement({
      roomArn: ROOM,
      messages,
      policy: ruleExempt,
      users: new Map(),
      nowMillis: 0,
    });
    expect(together.outcomes).toEqual(alone);
    expect(together.outcomes.map((outcome) => outcome.deleted)).toEqual([true, false, true, false]);
  });

  const compileWithRecheck = (document: PolicyDocument) =>
    compilePolicy({ ...document, enforcement: { ...document.enforcement, recheck: true } }, { compileRegex });

  // The re-check takes the review's shortcut for content the kernel finds clean: it must decide as review does.
  for (const [name, checked] of [
    ['the default policy (terms only)', defaultPolicy],
    [
      'a policy with every rule kind',
      compileWithRecheck(loadPolicyFile(path.resolve(__dirname, '../../fixtures/policies/every-kind.yaml'))),
    ],
  ] as const) {
    it(`re-checks each message as the long way decides it, under ${name}`, () => {
      const texts = readEvalCorpus().map((evalCase) => evalCase.text);
      // One sender each, a minute apart, and each content twice (its decision is reused): no flood, no repeat.
      const messages = [...texts, ...texts].map((text, index) =>
        logged(`user${index % texts.length}`, index * 60, text),
      );
      const result = planEnforcement({
        roomArn: ROOM,
        messages,
        policy: checked,
        users: new Map(),
        nowMillis: 0,
      });
      expect(result.outcomes).toHaveLength(messages.length);
      const flagged = result.outcomes.filter((outcome) => outcome.decision?.verdict !== 'allow').length;
      expect(flagged).toBeGreaterThan(0);
      result.outcomes.forEach((outcome, index) => {
        const message = messages[index];
        expect(outcome.messageId).toBe(message?.id);
        // The long way, without the kernel's verdict: what the shortcut must agree with.
        const normalized = normalizeTransient(message?.content ?? '', checked.matcher.watch);
        expect(outcome.decision).toEqual(
          evaluateNormalized(normalized, message?.sender.attributes ?? {}, checked),
        );
      });
    });
  }
});
