import { gzipSync } from 'node:zlib';

let sequence = 0;

/** One IVS chat log MESSAGE record as IVS writes it (nanosecond SendTime, empty RequestId), with a fresh 12-character id. */
export function chatLogLine(
  userId: string,
  at: Date,
  content: string,
  attributes: Record<string, string> = {},
): string {
  sequence++;
  const time = at.toISOString();
  return JSON.stringify({
    event_timestamp: time,
    type: 'MESSAGE',
    version: '1.0',
    payload: {
      Type: 'MESSAGE',
      Id: `log${String(sequence).padStart(9, '0')}`,
      RequestId: '',
      Attributes: {},
      Content: content,
      SendTime: time.replace('Z', '123456Z'),
      Sender: { UserId: userId, Attributes: attributes },
    },
  });
}

/** A subscription event as CloudWatch Logs delivers a room's chat log lines to Lambda: gzip, base64. */
export function subscriptionEvent(roomId: string, lines: readonly string[]) {
  const body = {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: '/aws/vendedlogs/ivschat/test',
    logStream: `aws/IVSChatLogs/1.0/room_${roomId}`,
    subscriptionFilters: ['moderation'],
    logEvents: lines.map((message, index) => ({ id: String(index), timestamp: Date.now() + index, message })),
  };
  return { awslogs: { data: gzipSync(Buffer.from(JSON.stringify(body))).toString('base64') } };
}
