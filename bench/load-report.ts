import os from 'node:os';
import { consumerActionRate } from '../local/consumer-action-rate.js';
import type { Distribution } from './load-checks.js';
import { passed } from './load-checks.js';
import type { LoadTestResult } from './load-run.js';
import { formatNumber, formatShare, machine, table } from './report.js';

/**
 * The load test's section of docs/benchmarks.md: what the test does (owned here, so it stays in step with the
 * code), then the run's parameters, results and checks.
 */

const ABOUT = `## Load test

\`npm run load-test\` (\`bench/load-test.ts\`) starts the local stack that \`npm start\` runs (the IVS Chat
emulator with the bundled review function, chat logging to the bundled chat log consumer, dynalite; the control
plane with IVS's rate quotas on), creates a room whose \`maximumMessageRatePerSecond\` is the rate under test (IVS
counts it for the whole room, all clients together), and connects one official client
(\`amazon-ivs-chat-messaging\`, with a token from the SDK's \`CreateChatToken\`) per user, in a second process so
that the clients' work does not share the stack's event loop. The clients send lines of the evaluation corpus
(clean chat, profanity plain and evaded) at the room's maximum for a fixed time, paced so that no second of their
own sends holds more than the room allows: chatters at an even rate, flooders at several times it. The shipped
policy's flood limit is raised just above a chatter's share of the room (a room at its maximum with the shipped
limit of 8 messages in 10 s would need over a hundred users), so only the flooders flood; chatters meet the
ladder through the other rules (a repeated message, which evaded variants of one corpus sentence become once
masked; the re-check of a message review let through). The chat log consumer runs in as many execution
environments as its reserved concurrency, each pacing its actions at its share of the half of IVS's 100 a second that serverless.yml gives each consumer, and a share
of the chat log batches is delivered to it a second time, as CloudWatch Logs may. When the time is up the chat
logs are drained, and every message and action is checked:

- every SendMessage the room accepted was reviewed exactly once, and what the sender got (its message back, or a
  406) matches the verdict; a 429 was not reviewed;
- every delivered message is in the chat log group exactly once with the content delivered, and nothing else is;
- the consumer got every record once (redeliveries aside), logged a plan for every invocation, and a redelivered
  batch planned nothing its first delivery did not;
- every planned action was executed exactly once: DeleteMessage per message, SendEvent (warnings) and
  DisconnectUser per user counted at the emulator against the plans, sanctions found in the enforcement table;
  and each executed action is in the chat logs exactly once;
- no errors: no client error, no failed chat log delivery, no ERROR line from a function, no failed action.

Review latency is what IVS sees: the emulator times each call of the handler, from the call to the verdict
(the sanction lookup in DynamoDB included). The emulator counts the room's second by when it handles each frame,
so when its process waits for a core, sends a second apart are handled closer together and some are refused
(429): the share refused measures the machine as much as the room. The test exits non-zero when a check fails.`;

const ms = (value: number) => (Number.isNaN(value) ? 'n/a' : `${formatNumber(value, value < 10 ? 1 : 0)} ms`);
const percent = (share: number) => `${formatNumber(100 * share, 0)}%`;

function distributionRow(name: string, { count, p50, p95, p99, max }: Distribution): string[] {
  return [name, formatNumber(count), ms(p50), ms(p95), ms(p99), ms(max)];
}

const fallbackCount = (result: LoadTestResult) =>
  result.summary.fallbacks.reduce((total, [, count]) => total + count, 0);

/**
 * Whether the run kept up with the room (accepted nearly all it offered, no review fell back) and whether the
 * machine was busy enough that waiting for a core shows in the latencies.
 */
function bottleneck(result: LoadTestResult, acceptedPerSecond: number): string {
  const cores = os.cpus().length;
  const ownShare = result.stack.cpuShare + result.clients.cpuShare;
  const load = Math.max(result.loadAverage.before[0] ?? 0, result.loadAverage.after[0] ?? 0);
  // A process that used little CPU while its event loop lagged was waiting for a core, not working.
  const starved = result.stack.eventLoopDelay.p99Ms > 100 && result.stack.cpuShare < 0.5;
  const machineBusy = load >= cores || ownShare >= 0.9 * cores || starved;
  const keptUp = acceptedPerSecond >= 0.95 * result.options.ratePerSecond && fallbackCount(result) === 0;
  const facts =
    `Over the sending phase the stack's process used ${percent(result.stack.cpuShare)} of a core and the clients' ` +
    `${percent(result.clients.cpuShare)}; the machine's 1-minute load average was ` +
    `${formatNumber(result.loadAverage.before[0] ?? 0, 2)} before and ${formatNumber(result.loadAverage.after[0] ?? 0, 2)} ` +
    `after, on ${cores} cores. Event loop delay, p99: stack ${ms(result.stack.eventLoopDelay.p99Ms)}, clients ` +
    `${ms(result.clients.eventLoopDelay.p99Ms)}.`;
  const verdict = keptUp
    ? machineBusy
      ? 'The pipeline kept up with the room at its maximum, on a machine busy with other work: the latency tails ' +
        'include time spent waiting for a core, so the machine, not the pipeline, bounds them.'
      : 'The pipeline kept up with the room at its maximum, with cores to spare.'
    : machineBusy
      ? "The pipeline fell short of the room's maximum on a saturated machine: this run cannot tell the pipeline " +
        'apart from the machine; run it again on a quiet one.'
      : "The pipeline fell short of the room's maximum with cores to spare: the pipeline is the bottleneck.";
  return `${facts} ${verdict}`;
}

export function loadTestSection(result: LoadTestResult): string {
  const { options, summary, checks } = result;
  const acceptedPerSecond = summary.reviewed / result.sendingSeconds;
  const count = (value: number) => formatNumber(value);
  const share = (value: number) => formatShare(value, summary.sent);
  const deniedBy = summary.deniedBy.map(([reason, times]) => `${times}× “${reason}”`).join('; ');
  const fallbacks = summary.fallbacks.map(([cause, times]) => `${times}× ${cause}`).join('; ');
  const warnings = result.functionWarnings.map(([line, times]) => `${times}× ${line}`).join('; ');
  const allPassed = checks.every(passed);
  return [
    ABOUT,
    '',
    `### Run ${result.startedAt}`,
    '',
    `Machine: ${machine()}`,
    '',
    table(
      ['Parameter', 'Value'],
      [
        ['Room `maximumMessageRatePerSecond`', `${options.ratePerSecond}/s`],
        [
          'Duration of sending',
          `${options.durationSeconds} s (took ${formatNumber(result.sendingSeconds, 1)} s)`,
        ],
        ['Clients (one user each)', `${options.clients}, of which ${options.flooders} flooders`],
        [
          'Rate per user',
          `chatter ${formatNumber(result.chatterRatePerSecond, 2)}/s, flooder ${formatNumber(result.flooderRatePerSecond, 2)}/s`,
        ],
        [
          'Flood rule',
          `${result.flood.maxMessages} messages in ${result.flood.windowSeconds} s (shipped: ${result.flood.shipped})`,
        ],
        ['Chat log batching delay', `${formatNumber(options.chatLogDelayMs)} ms (IVS: about 10 s)`],
        [
          'Chat log consumer',
          `${options.consumerConcurrency} execution environments, ${consumerActionRate(options.consumerConcurrency)} actions/s each`,
        ],
        ['Batches redelivered', percent(options.redeliverShare)],
        ['Seed', `0x${options.seed.toString(16)}`],
      ],
    ),
    '',
    table(
      ['Messages', 'Count'],
      [
        ['Send slots', count(summary.slots)],
        ['Skipped (sender disconnected by moderation)', count(summary.skipped)],
        ['Sent', count(summary.sent)],
        ['Refused by the room’s rate (429)', share(summary.throttled)],
        ['Reviewed', `${share(summary.reviewed)}: ${formatNumber(acceptedPerSecond, 1)}/s`],
        ['Delivered', share(summary.delivered)],
        ['of which masked', count(summary.masked)],
        ['Denied (406)', share(summary.denied)],
        ['Unanswered (connection closed while pending)', count(summary.unanswered)],
        ['MESSAGE records in the chat logs', count(summary.loggedMessages)],
        ['EVENT records in the chat logs', count(summary.loggedEvents)],
        [
          'Consumer invocations (of which redeliveries)',
          `${count(summary.consumerInvocations)} (${count(summary.redeliveries)})`,
        ],
        [
          'Plans made again: another invocation saved the users first (invocations)',
          `${count(summary.replans.plans)} (${count(summary.replans.invocations)})`,
        ],
      ],
    ),
    '',
    `Denied: ${deniedBy === '' ? 'none' : deniedBy}.`,
    '',
    table(
      ['Latency', 'Count', 'p50', 'p95', 'p99', 'Max'],
      [
        distributionRow('Review, as IVS waits for it', summary.reviewMs),
        distributionRow('Chat log lag: SendTime → consumer', summary.logLagMs),
      ],
    ),
    '',
    `Reviews that took the 200 ms IVS waits or longer: ${count(summary.atReviewLimit)}; fallbacks applied: ` +
      `${fallbacks === '' ? 'none' : fallbacks}.` +
      (summary.atReviewLimit > fallbackCount(result)
        ? ' The emulator applies the fallback when its 200 ms timer fires before the reply; a process waiting ' +
          'for a core runs both late, and a reply ready by then still counts.'
        : '') +
      ` The chat logs, and the actions they set off, were all delivered ${formatNumber(result.drainSeconds, 1)} s ` +
      'after the last send.',
    '',
    table(
      ['Action', 'Planned', 'Executed'],
      summary.actions.map(({ kind, planned, executed }) => [kind, count(planned), count(executed)]),
    ),
    '',
    `Clients: ${count(result.clients.framesReceived)} frames received, ${count(result.clients.serverDisconnects)} ` +
      `disconnections by moderation (each user came back after 1 s: ${count(result.clients.reconnects)} ` +
      `reconnections). Function WARN and ERROR lines: ${warnings === '' ? 'none' : warnings}.`,
    '',
    table(
      ['Check', 'Checked', 'Result'],
      checks.map((check) => [
        check.name,
        count(check.checked),
        passed(check)
          ? 'pass'
          : `**FAIL** (${check.failures.length}), e.g. ${check.failures
              .slice(0, 2)
              .map((failure) => (failure.length > 90 ? `${failure.slice(0, 89)}…` : failure))
              .join('; ')}`,
      ]),
    ),
    '',
    `${allPassed ? 'All checks passed.' : '**Some checks failed.**'} ${bottleneck(result, acceptedPerSecond)}`,
  ].join('\n');
}
