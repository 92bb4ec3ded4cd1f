import type { CommandResult } from './run-command.js';
import { runCommand } from './run-command.js';

/**
 * `npx sls invoke local -f FUNCTION -p EVENT` with `-e NAME=VALUE` for each entry of `environment`, plus test
 * credentials (the emulator and dynalite check no signatures) and silent Powertools logs.
 */
export function invokeLocal(
  functionName: string,
  eventFile: string,
  environment: Readonly<Record<string, string>>,
): Promise<CommandResult> {
  const variables = {
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    ...environment,
  };
  return runCommand('npx', [
    'sls',
    'invoke',
    'local',
    '-f',
    functionName,
    '-p',
    eventFile,
    ...Object.entries(variables).flatMap(([name, value]) => ['-e', `${name}=${value}`]),
  ]);
}
