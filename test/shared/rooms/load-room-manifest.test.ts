import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  loadRoomManifest,
  parseRoomManifest,
  RoomManifestError,
} from '../../../shared/rooms/load-room-manifest.js';

const CONFIG = path.resolve(__dirname, '../../../config');
const noPolicyCheck = { checkPolicy: () => undefined };

function linesOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof RoomManifestError) return error.message.split('\n');
    throw error;
  }
  throw new Error('expected a RoomManifestError');
}

const folder = mkdtempSync(path.join(tmpdir(), 'rooms-manifest-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('loading the rooms manifest', () => {
  it('loads the shipped manifest: every room gets the stage review handler and the stage log group', () => {
    const manifest = loadRoomManifest(path.join(CONFIG, 'rooms.yaml'));
    // None named: a stage that assigns none carries none and reads no assignments.
    expect(manifest.policies).toEqual({});
    expect(manifest.loggingConfigurations).toEqual([
      { name: 'moderation-chat-logs', destination: { stage: 'log-group' }, remove: false },
    ]);
    expect(manifest.rooms).toEqual([
      {
        select: { all: true },
        reviewHandler: { uri: 'stage', fallbackResult: 'ALLOW' },
        loggingConfigurations: ['moderation-chat-logs'],
      },
    ]);
    expect(manifest.changeBudget).toBe(500);
  });

  it('resolves policy files against the manifest folder, whatever the working directory', () => {
    const manifest = parseRoomManifest(
      'policies:\n  strict: policies/strict.yaml\n  absolute: /etc/p.yaml\n',
      '/srv/app/config/rooms.yaml',
      noPolicyCheck,
    );
    expect(manifest.policies).toEqual({
      strict: '/srv/app/config/policies/strict.yaml',
      absolute: '/etc/p.yaml',
    });
  });

  it('reports every problem with file, line, column and path, in file order', () => {
    const text = [
      'changeBudget: 0', // 1
      'loggingConfigurations:', // 2
      '  - name: logs', // 3
      '    destination: { s3: Bad_Bucket }', // 4
      'rooms:', // 5
      '  - select: all', // 6
      '    maximumMessageLength: 900', // 7
      '    tags:', // 8
      '      aws:owner: me', // 9
      '  - select: { namePrefix: game- }', // 10
      '    policy: strictest', // 11
      '  - select: all', // 12
    ].join('\n');
    expect(linesOf(() => parseRoomManifest(text, 'rooms.yaml', noPolicyCheck))).toEqual([
      'rooms.yaml:1:15: changeBudget: must be a whole number 1 or more (got 0)',
      'rooms.yaml:4:24: loggingConfigurations[0].destination.s3: not a valid S3 bucket name: must match ^[a-z0-9-.]+$',
      'rooms.yaml:7:27: rooms[0].maximumMessageLength: must be a whole number from 1 to 500 (got 900)',
      'rooms.yaml:9:18: rooms[0].tags.aws:owner: tag keys starting with aws: are reserved by AWS',
      'rooms.yaml:11:13: rooms[1].policy: unknown policy "strictest"; defined under policies: default',
      'rooms.yaml:12:5: rooms[2]: sets nothing: give at least one of policy, reviewHandler, maximumMessageLength, maximumMessageRatePerSecond, loggingConfigurations, tags, removeTags',
    ]);
  });

  it('points each problem at the node the path names, or the nearest one that exists', () => {
    expect(
      linesOf(() => parseRoomManifest('rooms:\n  - select: all\n    polcy: strict\n', 'r.yaml')),
    ).toEqual([
      'r.yaml:2:5: rooms[0]: sets nothing: give at least one of policy, reviewHandler, maximumMessageLength, maximumMessageRatePerSecond, loggingConfigurations, tags, removeTags',
      'r.yaml:3:12: rooms[0].polcy: unknown key; expected one of: select, policy, reviewHandler, maximumMessageLength, maximumMessageRatePerSecond, loggingConfigurations, tags, removeTags',
    ]);
  });

  it('reports YAML syntax errors and duplicate keys with their position', () => {
    expect(linesOf(() => parseRoomManifest('rooms: [unclosed', 'r.yaml'))[0]).toMatch(
      /^r\.yaml:1:\d+: \(syntax\): /,
    );
    expect(linesOf(() => parseRoomManifest('changeBudget: 1\nchangeBudget: 2\n', 'r.yaml'))[0]).toMatch(
      /^r\.yaml:2:1: \(syntax\): Map keys must be unique/,
    );
  });

  it('accepts a manifest whose every line is commented out', () => {
    expect(parseRoomManifest('# nothing yet\n', 'r.yaml').rooms).toEqual([]);
  });

  it('loads each policy file and reports the first problem of one that fails, at the policies entry', () => {
    mkdirSync(path.join(folder, 'policies'), { recursive: true });
    writeFileSync(
      path.join(folder, 'policies/bad.yaml'),
      'version: 2\nname: bad\nrules:\n  - id: Bad\n    kind: terms\n    action: block\n    severity: low\n    reason: x\n    terms: [a]\n',
    );
    const manifestFile = path.join(folder, 'rooms.yaml');
    writeFileSync(
      manifestFile,
      'policies:\n  strict: policies/missing.yaml\n  bad: policies/bad.yaml\n  shipped: STRICT\n'.replace(
        'STRICT',
        path.join(CONFIG, 'policies/strict.yaml'),
      ),
    );
    const lines = linesOf(() => loadRoomManifest(manifestFile));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      new RegExp(
        `^${manifestFile}:2:11: policies\\.strict: ${path.join(folder, 'policies/missing.yaml')}: \\(file\\): cannot read: ENOENT`,
      ),
    );
    expect(lines[1]).toBe(
      `${manifestFile}:3:8: policies.bad: ${path.join(folder, 'policies/bad.yaml')}:1:10: version: must be 1 (got 2) (and 2 more problems)`,
    );
  });

  it('reports a manifest file that cannot be read', () => {
    const missing = path.join(folder, 'missing.yaml');
    expect(linesOf(() => loadRoomManifest(missing))).toEqual([
      expect.stringMatching(new RegExp(`^${missing}: \\(file\\): cannot read: ENOENT`)),
    ]);
  });
});
