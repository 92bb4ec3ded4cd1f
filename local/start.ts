import { startStack } from './stack.js';

/**
 * `npm start`: the local stack on 127.0.0.1. Prints one line per endpoint, then `ready`, then how to
 * try it (the lines DESIGN.md fixes: scripts wait for `ready`). PORT picks the first port; 0 = free ports.
 */

const DEFAULT_PORT = 4580;

function readPort(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_532)
    throw new Error(`PORT must be a whole number from 0 to 65532, got "${value}"`);
  return port;
}

async function main(): Promise<void> {
  // Verdicts show in the page; keep the review function's own log lines to warnings and errors.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  // The AWS SDK warns on Node 20 that its releases after January 2027 need Node 22 (Lambda runs 24): once per
  // start it says nothing about the stack, and the README's requirements say it already.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // The consumers' CloudWatch metrics would print one JSON line per batch here; locally they are noise.
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  // The reconciler converges the emulator's rooms to config/rooms.yaml at start and every minute, as the
  // deployed schedule does (every 15 minutes by default).
  const stack = await startStack({ port: readPort(process.env.PORT), reconcileEveryMs: 60_000 });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping\n`);
    stack.stop().then(
      () => {
        process.exitCode = 0;
      },
      (error: unknown) => {
        console.error(error);
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const [lobby] = stack.rooms.values();
  const token = lobby && (await stack.createChatToken(lobby.arn, { userId: 'cli-user', role: 'viewer' }));
  const lines = [
    `control plane: ${stack.controlPlaneUrl}`,
    `messaging: ${stack.messagingUrl}`,
    'ready',
    '',
    `web page: ${stack.webUrl}  (join ${lobby?.name ?? 'the room'}, chat, and watch verdicts and deletions arrive)`,
    `dynamodb: ${stack.dynamodbEndpoint}`,
    ...(lobby && token
      ? [
          `room ${lobby.name}: ${lobby.arn}`,
          `chat token for ${lobby.name} (user cli-user, single use, expires ${token.tokenExpirationTime?.toISOString() ?? 'in 1 hour'}):`,
          `  ${token.token}`,
        ]
      : []),
    `SDK: IVSCHAT_ENDPOINT=${stack.controlPlaneUrl} (any credentials); chat logs land in .local/`,
    `rooms converge to config/rooms.yaml every minute; \`npm run -s cli -- reconcile --endpoint ${stack.controlPlaneUrl}\` shows the plan`,
    'Ctrl-C stops the stack.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
