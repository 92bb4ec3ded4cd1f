import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { DEFAULT_POLICY_FILE } from '../build/review-policy-plugin.js';
import { reviewTranscript, SAMPLE_TRANSCRIPT } from '../local/review-transcript.js';
import { RetriesExhaustedError } from '../shared/enforcement/backoff.js';
import { loadPolicyFile, PolicyFileError } from '../shared/policy/load-policy-file.js';
import type { ReviewOutcome } from '../shared/review/review-message.js';
import { reviewMessage } from '../shared/review/review-message.js';
import { RoomManifestError } from '../shared/rooms/load-room-manifest.js';
import type { CompiledPolicy } from '../shared/rules/compile-policy.js';
import { compilePolicy } from '../shared/rules/compile-policy.js';
import { explainMessage, STEP_DESCRIPTIONS } from '../shared/rules/explain.js';
import { compileRegex } from '../shared/rules/linear-regex.js';
import { BACKTEST_USAGE, backtestCommand } from './backtest-command.js';
import { MODERATE_USAGE, ModerateUsageError, moderateCommand } from './moderate-command.js';
import { RECONCILE_USAGE, ReconcileUsageError, reconcileCommand } from './reconcile-command.js';

const USAGE = `Usage: ivs-mod <command>

Commands:
  check [--policy FILE] [--sender-attribute KEY=VALUE ...]
      Reviews messages read from stdin, one per line, and writes one JSON
      object per line: {"result","content","matches",...}. Without --policy
      the shipped default policy (${DEFAULT_POLICY_FILE}) is used.
      --sender-attribute sets a server-minted sender attribute (e.g. role=moderator).
  explain [--policy FILE] [--sender-attribute KEY=VALUE ...] [--json] MESSAGE
      Reviews one message and explains the verdict: each rule that matched, the
      matched characters and where they are in the message, and which
      normalization steps (lookalike letters, leetspeak, stretched letters, ...)
      it took to see them. --json prints the same as one JSON object.
  transcript [--policy FILE] [FILE]
      Bundles the review function as \`sls package\` does and sends every line of a
      chat transcript (default local/sample-transcript.txt) through it as IVS
      would, printing each verdict. Lines read \`user: message\` or
      \`user (role): message\`; role stands for a server-minted sender attribute.
${RECONCILE_USAGE}${MODERATE_USAGE}${BACKTEST_USAGE}  policy validate FILE
      Validates a policy file; prints every problem as file:line:column: path: what.
  help
      Prints this text.
`;

export interface CliIo {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/** The shipped policy, found from the CLI's own location so the command works from any directory. */
const defaultPolicyFile = path.resolve(__dirname, '..', DEFAULT_POLICY_FILE);

const EXIT_OK = 0;
const EXIT_INVALID_POLICY = 1;
const EXIT_USAGE = 2;
/** A transcript that cannot be read or reviewed (an invalid policy keeps exit code 1 too). */
const EXIT_FAILED = 1;

class UsageError extends Error {}

/** Runs one CLI invocation; resolves to the process exit code. */
export async function main(argv: readonly string[], io: CliIo = process): Promise<number> {
  try {
    const [command, ...rest] = argv;
    switch (command) {
      case 'check':
        return await check(rest, io);
      case 'explain':
        return explain(rest, io);
      case 'policy':
        return validate(rest, io);
      case 'transcript':
        return await transcript(rest, io);
      case 'reconcile':
        // The SDK's notice that releases after January 2027 need Node 22 says nothing about this command.
        process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
        return await reconcileCommand(rest, io, path.resolve(__dirname, '..'));
      case 'ban':
      case 'unban':
      case 'timeout':
      case 'delete':
      case 'disconnect':
      case 'strikes':
      case 'audit':
        process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
        // Powertools idempotency logs nothing the user needs here.
        process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
        return await moderateCommand(command, rest, io);
      case 'backtest':
        return await backtestCommand(rest, io, defaultPolicyFile);
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(USAGE);
        return EXIT_OK;
      default:
        throw new UsageError(
          command === undefined ? 'a command is required' : `unknown command "${command}"`,
        );
    }
  } catch (error) {
    if (error instanceof PolicyFileError) {
      io.stderr.write(`invalid policy:\n${error.message}\n`);
      return EXIT_INVALID_POLICY;
    }
    if (error instanceof RoomManifestError) {
      io.stderr.write(`invalid rooms manifest:\n${error.message}\n`);
      return EXIT_INVALID_POLICY;
    }
    if (error instanceof RetriesExhaustedError) {
      io.stderr.write(`ivs-mod: ${error.message} (after ${error.attempts} attempts)\n`);
      return EXIT_FAILED;
    }
    if (
      error instanceof UsageError ||
      error instanceof ReconcileUsageError ||
      error instanceof ModerateUsageError ||
      isParseArgsError(error)
    ) {
      io.stderr.write(`ivs-mod: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

function isParseArgsError(error: unknown): error is Error {
  return error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS');
}

function validate(args: readonly string[], io: CliIo): number {
  const [subcommand, file, ...extra] = args;
  if (subcommand !== 'validate' || file === undefined || extra.length > 0) {
    throw new UsageError('expected: policy validate FILE');
  }
  const policy = loadPolicyFile(file);
  const terms = policy.rules.reduce(
    (total, rule) => total + (rule.kind === 'terms' ? rule.terms.length : 0),
    0,
  );
  io.stdout.write(`${file}: valid policy "${policy.name}": ${policy.rules.length} rules, ${terms} terms\n`);
  return EXIT_OK;
}

async function transcript(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { policy: { type: 'string' } },
    strict: true,
    allowPositionals: true,
  });
  const [file, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError('transcript takes at most one FILE');
  // Verdicts are printed here; keep the function's own log lines to warnings and errors.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  try {
    await reviewTranscript(
      file === undefined ? SAMPLE_TRANSCRIPT : path.resolve(file),
      values.policy === undefined ? defaultPolicyFile : path.resolve(values.policy),
      io.stdout,
    );
  } catch (error) {
    // An unreadable transcript or a policy that does not build: say what, without a stack trace.
    if (!(error instanceof Error) || error instanceof PolicyFileError) throw error;
    io.stderr.write(`ivs-mod transcript: ${error.message}\n`);
    return EXIT_FAILED;
  }
  return EXIT_OK;
}

async function check(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      policy: { type: 'string' },
      'sender-attribute': { type: 'string', multiple: true },
    },
    strict: true,
    allowPositionals: false,
  });
  const policy = compilePolicy(loadPolicyFile(values.policy ?? defaultPolicyFile), { compileRegex });
  const senderAttributes = parseSenderAttributes(values['sender-attribute'] ?? []);
  const lines = createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    io.stdout.write(`${JSON.stringify(checkLine(line, senderAttributes, policy))}\n`);
  }
  return EXIT_OK;
}

function explain(args: readonly string[], io: CliIo): number {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      policy: { type: 'string' },
      'sender-attribute': { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: true,
  });
  const [content, ...extra] = positionals;
  if (content === undefined || extra.length > 0) throw new UsageError('explain takes one MESSAGE (quote it)');
  const policy = compilePolicy(loadPolicyFile(values.policy ?? defaultPolicyFile), { compileRegex });
  const senderAttributes = parseSenderAttributes(values['sender-attribute'] ?? []);
  const explained = explainMessage(content, senderAttributes, policy);
  io.stdout.write(values.json ? `${JSON.stringify(explained)}\n` : formatExplanation(content, explained));
  return EXIT_OK;
}

function formatExplanation(
  content: string,
  { decision, matches }: ReturnType<typeof explainMessage>,
): string {
  const lines = [`message: ${JSON.stringify(content)}`];
  if (decision.verdict === 'deny')
    lines.push(`verdict: DENY by rule ${decision.ruleId}: ${JSON.stringify(decision.reason)}`);
  else if (decision.verdict === 'hold')
    lines.push(
      `verdict: DENY, held for a moderator by rule ${decision.ruleId}: ${JSON.stringify(decision.reason)}`,
    );
  else if (decision.verdict === 'mask')
    lines.push(`verdict: ALLOW, masked: ${JSON.stringify(decision.content)}`);
  else lines.push('verdict: ALLOW');
  if (matches.length === 0) lines.push('no rule matched');
  for (const match of matches) {
    const exempt = match.exempt ? ', sender exempt' : '';
    lines.push(
      `rule ${match.ruleId} (${match.action}, ${match.severity}${exempt}): ${JSON.stringify(match.text)} at ${match.start}–${match.end}, matched ${JSON.stringify(match.term)}`,
    );
    if (match.steps.length === 0) lines.push('  seen as written');
    for (const { step, examples } of match.steps) {
      lines.push(`  seen through: ${STEP_DESCRIPTIONS[step]}: ${examples.join(', ')}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function parseSenderAttributes(pairs: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    pairs.map((pair) => {
      const separator = pair.indexOf('=');
      if (separator <= 0) throw new UsageError(`--sender-attribute takes KEY=VALUE (got "${pair}")`);
      return [pair.slice(0, separator), pair.slice(separator + 1)];
    }),
  );
}

/** The `check` record for one message: the review verdict as the room would apply it. */
export function checkLine(content: string, senderAttributes: Record<string, string>, policy: CompiledPolicy) {
  const outcome: ReviewOutcome = reviewMessage(
    {
      Content: content,
      MessageId: '',
      RoomArn: '',
      Attributes: {},
      Sender: { UserId: 'cli', Attributes: senderAttributes },
    },
    policy,
    { failureResult: 'DENY' },
  );
  const { response, decision } = outcome;
  const denied = response.ReviewResult === 'DENY';
  return {
    result: response.ReviewResult,
    // What the room delivers: nothing on DENY, the possibly masked message on ALLOW.
    content: denied ? '' : response.Content,
    matches: (decision?.matches ?? []).map((match) => ({
      ...match,
      text: content.slice(match.start, match.end),
    })),
    ...(outcome.result === 'MASK' ? { masked: true } : {}),
    ...(outcome.result === 'HOLD' ? { held: true } : {}),
    ...(denied ? { reason: response.Attributes.Reason ?? '' } : {}),
    ...(outcome.failure === undefined ? {} : { failure: outcome.failure }),
  };
}
