import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { describeThrown, isAgentSdkError, sdkError } from '../../../core/index.js';

/** Whether a database error (raw driver or MikroORM-converted) is a unique/primary-key violation. */
export function isUniqueViolation(error: unknown): boolean {
  if (error instanceof UniqueConstraintViolationException) return true;
  const e = error as { code?: unknown; message?: unknown } | undefined;
  if (e?.code === '23505') return true;
  return e?.code === 'SQLITE_CONSTRAINT' && /UNIQUE|PRIMARY KEY/i.test(String(e.message));
}

/**
 * Runs one repository operation: AgentSdkErrors pass as they are; anything the database throws becomes
 * ASDK_STORAGE_UNAVAILABLE naming the operation, with the driver's error as the cause.
 */
export async function guard<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw asStorageError(operation, error);
  }
}

export function asStorageError(operation: string, error: unknown): Error {
  if (isAgentSdkError(error)) return error;
  return sdkError('ASDK_STORAGE_UNAVAILABLE', { operation, reason: driverReason(error) }, { cause: error });
}

const STATEMENT = /^\s*(?:insert|select|update|delete|with|create|alter|drop|pragma|begin|commit|rollback|savepoint|release|set|lock|truncate)\b/i;

/**
 * The driver's own message, first line. knex puts the failed statement before it (`<sql> - <message>`) with
 * the values written in, which are conversation text: the reason reaches `run.failed` and so the clients, and
 * must not carry them. (The statement stays in the error's cause, for the server's logs.)
 */
function driverReason(error: unknown): string {
  let message: string;
  try {
    const raw = (error as Error | undefined)?.message;
    message = typeof raw === 'string' && raw ? raw : describeThrown(error);
  } catch {
    message = describeThrown(error);
  }
  if (STATEMENT.test(message)) {
    const at = message.lastIndexOf(' - ');
    message = at === -1 ? 'the database refused a statement' : message.slice(at + 3);
  }
  return message.split('\n')[0];
}
