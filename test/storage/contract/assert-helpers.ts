import * as assert from 'uvu/assert';

/** Fails unless `promise` rejects with an AgentSdkError of `code`; returns the error. */
export async function rejectsWith(promise: Promise<unknown>, code: string): Promise<any> {
  let error: any;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  assert.ok(error, `expected a rejection with ${code}, but the promise resolved`);
  assert.is(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`);
  return error;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Is `value` an ISO 8601 timestamp that Date understands? */
export function isIsoTime(value: unknown): boolean {
  return typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value) && Number.isFinite(Date.parse(value));
}
