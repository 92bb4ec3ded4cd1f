// Run by review-bundle.ts in a fresh node process per sample: the only honest way to
// time a cold `require` (module cache, lazy compilation and file cache all start empty
// except for the OS page cache). Usage: node import-probe.cjs <bundle.js>
// Prints one line `IMPORT_PROBE {json}`; the handler's own logs may precede it on stdout.
const { performance } = require('node:perf_hooks');

const event = {
  Content: 'gg wp, that clutch was insane 🔥',
  MessageId: 'probe-message',
  RoomArn: 'arn:aws:ivschat:us-east-1:123456789012:room/probe',
  Attributes: {},
  Sender: { UserId: 'probe-user', Attributes: {} },
};
// The fields middy and the Powertools logger read from a real Lambda context.
const context = {
  functionName: 'ivs-chat-moderation-dev-reviewMessage',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:ivs-chat-moderation-dev-reviewMessage',
  memoryLimitInMB: '1024',
  awsRequestId: 'probe-request',
  logGroupName: '/aws/lambda/ivs-chat-moderation-dev-reviewMessage',
  logStreamName: 'probe-stream',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 3000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
};

async function main() {
  const beforeImport = performance.now();
  const { handler } = require(process.argv[2]);
  const afterImport = performance.now();
  const first = await handler(event, { ...context, awsRequestId: 'probe-request-1' });
  const afterFirst = performance.now();
  await handler(event, { ...context, awsRequestId: 'probe-request-2' });
  const afterSecond = performance.now();
  const result = {
    importMs: afterImport - beforeImport,
    firstCallMs: afterFirst - afterImport,
    secondCallMs: afterSecond - afterFirst,
    reviewResult: first.ReviewResult,
  };
  process.stdout.write(`\nIMPORT_PROBE ${JSON.stringify(result)}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
