import path from 'node:path';
import type { Plugin } from 'esbuild';
import { loadPolicyFile, PolicyFileError } from '../shared/policy/load-policy-file.js';
import type { PolicyDocument } from '../shared/policy/policy-document.js';
import { loadRoomManifest, RoomManifestError } from '../shared/rooms/load-room-manifest.js';
import type { RoomManifest } from '../shared/rooms/room-manifest.js';

export const REVIEW_POLICY_MODULE = '#review-policy';
export const DEFAULT_POLICY_FILE = 'config/default-policy.yaml';
export const DEFAULT_ROOMS_MANIFEST = 'config/rooms.yaml';
const REGEX_ENGINE = path.resolve(__dirname, '../shared/rules/linear-regex.ts');

/**
 * The source of `#review-policy`: the policy as data, and the regex engine only when the policy has regex
 * rules, so a bundle for a policy without them neither carries re2js (about 150 KB) nor pays for its import.
 */
export function reviewPolicyModuleSource(
  policy: PolicyDocument,
  roomPolicies: Readonly<Record<string, PolicyDocument>> = {},
): string {
  const needsRegex = [policy, ...Object.values(roomPolicies)].some((document) =>
    document.rules.some((rule) => rule.kind === 'regex'),
  );
  return [
    `export default ${JSON.stringify(policy)};`,
    `export const roomPolicies = ${JSON.stringify(roomPolicies)};`,
    needsRegex
      ? `export { compileRegex } from ${JSON.stringify(REGEX_ENGINE)};`
      : 'export const compileRegex = undefined;',
  ].join('\n');
}

/** The policies a rooms manifest assigns by name, each loaded and validated. */
export function loadRoomPolicies(manifest: RoomManifest): Record<string, PolicyDocument> {
  return Object.fromEntries(
    Object.entries(manifest.policies).map(([name, file]) => [name, loadPolicyFile(file)]),
  );
}

/**
 * Resolves `#review-policy` to the stage's policy file and the rooms manifest's named policies, validated
 * now and inlined as JSON (with the regex engine if one needs it), and `#rooms-manifest` to the manifest,
 * validated and inlined the same way: a bad policy or manifest fails the build with file, line and path,
 * and no function parses YAML at run time.
 */
export function reviewPolicyPlugin(
  policyFile: string,
  baseDirectory = process.cwd(),
  roomsManifestFile = DEFAULT_ROOMS_MANIFEST,
): Plugin {
  const file = path.resolve(baseDirectory, policyFile);
  const manifestFile = path.resolve(baseDirectory, roomsManifestFile);
  return {
    name: 'review-policy',
    setup(build) {
      build.onResolve({ filter: /^#review-policy$/ }, () => ({ path: file, namespace: 'review-policy' }));
      build.onResolve({ filter: /^#rooms-manifest$/ }, () => ({
        path: manifestFile,
        namespace: 'rooms-manifest',
      }));
      build.onLoad({ filter: /.*/, namespace: 'rooms-manifest' }, () => {
        try {
          return {
            contents: `export default ${JSON.stringify(loadRoomManifest(manifestFile))};`,
            loader: 'js',
            watchFiles: [manifestFile],
          };
        } catch (error) {
          if (!(error instanceof RoomManifestError)) throw error;
          return { errors: [{ text: error.message, location: { file: manifestFile } }] };
        }
      });
      build.onLoad({ filter: /.*/, namespace: 'review-policy' }, () => {
        try {
          const manifest = loadRoomManifest(manifestFile);
          return {
            contents: reviewPolicyModuleSource(loadPolicyFile(file), loadRoomPolicies(manifest)),
            loader: 'js',
            resolveDir: path.dirname(file),
            watchFiles: [file, manifestFile, ...Object.values(manifest.policies)],
          };
        } catch (error) {
          if (error instanceof RoomManifestError) {
            return { errors: [{ text: error.message, location: { file: manifestFile } }] };
          }
          if (!(error instanceof PolicyFileError)) throw error;
          return {
            errors: error.issues.map((issue) => ({
              text: `${issue.path}: ${issue.message}`,
              location: issueLocation(file, issue),
            })),
          };
        }
      });
    },
  };
}

function issueLocation(file: string, issue: { line?: number; column?: number }) {
  return issue.line === undefined
    ? { file }
    : { file, line: issue.line, column: Math.max(0, (issue.column ?? 1) - 1) };
}
