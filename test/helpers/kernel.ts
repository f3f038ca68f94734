import { Kernel, type Plugin } from '../../core/index.js';

/** A kernel over exactly these plugins and this inline config, logs silenced, environment empty unless given. */
export function kernelWith(plugins: Plugin[], config: Record<string, unknown> = {}, env: Record<string, string> = {}): Kernel {
  return new Kernel({
    plugins,
    source: { raw: { ...config, kernel: { logLevel: 'silent', ...(config.kernel as object) } }, baseDir: process.cwd() },
    env,
  });
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}
