import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { LocatedIssue } from '../config/yaml-document.js';
import { formatLocatedIssue, formatYamlPath, locateIssues, readYaml } from '../config/yaml-document.js';
import { loadPolicyFile, PolicyFileError } from '../policy/load-policy-file.js';
import type { RoomManifest } from './room-manifest.js';
import type { RoomManifestServices } from './validate-room-manifest.js';
import { validateRoomManifest } from './validate-room-manifest.js';

/** A rooms manifest that cannot be used; `message` lists every problem as `file:line:column: path: what`. */
export class RoomManifestError extends Error {
  constructor(
    readonly file: string,
    readonly issues: readonly LocatedIssue[],
    options?: ErrorOptions,
  ) {
    super(issues.map((issue) => formatLocatedIssue(file, issue)).join('\n'), options);
    this.name = 'RoomManifestError';
  }
}

/** Checks a policy file by loading it as the review function would; reports the first problem only. */
export function policyFileChecker(manifestFile: string): RoomManifestServices {
  const folder = path.dirname(path.resolve(manifestFile));
  return {
    checkPolicy: (_name, file) => {
      try {
        loadPolicyFile(path.resolve(folder, file));
        return undefined;
      } catch (error) {
        if (!(error instanceof PolicyFileError)) throw error;
        const [first = 'invalid policy'] = error.message.split('\n');
        const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problems)` : '';
        return `${first}${more}`;
      }
    },
  };
}

/**
 * Parses and validates rooms manifest text; `file` names it in errors and is the
 * folder policy files are resolved against. `services` replaces the policy
 * check (tests); by default each policy file is loaded and validated.
 * Throws RoomManifestError.
 */
export function parseRoomManifest(text: string, file: string, services?: RoomManifestServices): RoomManifest {
  const read = readYaml(text);
  if (!read.ok) {
    throw new RoomManifestError(
      file,
      read.issues,
      read.cause === undefined ? undefined : { cause: read.cause },
    );
  }
  const result = validateRoomManifest(read.value, services ?? policyFileChecker(file));
  if (!result.ok) throw new RoomManifestError(file, locateIssues(result.issues, read.locate, formatYamlPath));
  const folder = path.dirname(path.resolve(file));
  const policies = Object.fromEntries(
    Object.entries(result.manifest.policies).map(([name, policyFile]) => [
      name,
      path.resolve(folder, policyFile),
    ]),
  );
  return { ...result.manifest, policies };
}

/** Reads, parses and validates a rooms manifest, policy files included. Throws RoomManifestError. */
export function loadRoomManifest(file: string): RoomManifest {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RoomManifestError(file, [{ path: '(file)', message: `cannot read: ${reason}` }], {
      cause: error,
    });
  }
  return parseRoomManifest(text, file);
}
