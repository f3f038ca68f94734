import { parseArgs, type ParseArgsConfig } from 'node:util';
import { sdkError } from '../core/index.js';

/** `parseArgs` with strict checking, and its errors turned into ASDK_CLI_USAGE naming the command. */
export function parseCommandArgs<O extends NonNullable<ParseArgsConfig['options']>>(command: string, argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw sdkError('ASDK_CLI_USAGE', { reason: (error as Error).message.replace(/\. To specify a positional.*$/s, ''), command });
  }
}
