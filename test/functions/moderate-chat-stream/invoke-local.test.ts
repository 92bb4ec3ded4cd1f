import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isRecord } from '../../../shared/guards.js';
import { loadEvent } from '../../helpers/load-event.js';
import { REPO_ROOT, runCommand } from '../../helpers/run-command.js';

/** The last JSON object `sls invoke local` prints: the handler's response. */
function lastJsonObject(stdout: string): unknown {
  const start = stdout.lastIndexOf('\n{\n');
  return JSON.parse(stdout.slice(start < 0 ? stdout.indexOf('{') : start + 1));
}

describe('events/moderate-chat-stream', () => {
  it('direct-put.json is its .decoded.json twin with each record base64 NDJSON', () => {
    const event = loadEvent('moderate-chat-stream', 'direct-put');
    const twin: unknown = JSON.parse(
      readFileSync(path.join(REPO_ROOT, 'events/moderate-chat-stream/direct-put.decoded.json'), 'utf8'),
    );
    const records = isRecord(event) && Array.isArray(event.records) ? event.records : [];
    const decoded = records.map((entry: unknown) =>
      isRecord(entry) && typeof entry.data === 'string'
        ? Buffer.from(entry.data, 'base64').toString('utf8').trimEnd().split('\n')
        : [],
    );
    const twinRecords = isRecord(twin) && Array.isArray(twin.records) ? twin.records : [];
    expect(decoded).toEqual(twinRecords.map((entry: unknown) => (isRecord(entry) ? entry.lines : undefined)));
  });

  it('runs through sls invoke local offline: a direct-put stream names no room, so it archives and enforces nothing', async () => {
    const { code, stdout, stderr } = await runCommand('npx', [
      'sls',
      'invoke',
      'local',
      '-f',
      'moderateChatStream',
      '-p',
      'events/moderate-chat-stream/direct-put.json',
      '-e',
      'POWERTOOLS_LOG_LEVEL=SILENT',
    ]);
    expect(code, stderr).toBe(0);
    const response = lastJsonObject(stdout);
    const records = isRecord(response) && Array.isArray(response.records) ? response.records : [];
    expect(records.map((entry: unknown) => (isRecord(entry) ? [entry.recordId, entry.result] : []))).toEqual([
      ['r-clean', 'Ok'],
      ['r-slur', 'Ok'],
      ['r-masked', 'Ok'],
      ['r-malformed', 'ProcessingFailed'],
    ]);
    const archivedContent = records.slice(0, 3).map((entry: unknown) => {
      const data = isRecord(entry) && typeof entry.data === 'string' ? entry.data : '';
      const line: unknown = JSON.parse(Buffer.from(data, 'base64').toString('utf8'));
      return isRecord(line) && isRecord(line.payload) ? line.payload.Content : undefined;
    });
    // Without a room nothing is deleted, but the archive still keeps what review would have removed out.
    expect(archivedContent).toEqual(['hello there', '', 'what the ****']);
  }, 60_000);
});
