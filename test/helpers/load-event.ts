import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const EVENTS = path.resolve(__dirname, '../../events');

/** The sample payload events/<fn>/<scenario>.json, parsed fresh for each caller. */
export function loadEvent(functionFolder: string, scenario: string): unknown {
  return JSON.parse(readFileSync(path.join(EVENTS, functionFolder, `${scenario}.json`), 'utf8'));
}

/** Scenario names of every sample payload for a function (an encoded payload's `.decoded.json` twin is not one). */
export function eventScenarios(functionFolder: string): string[] {
  return readdirSync(path.join(EVENTS, functionFolder))
    .filter((file) => file.endsWith('.json') && !file.endsWith('.decoded.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();
}
