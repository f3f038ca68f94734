import { createServer } from 'node:net';
import { sdkError, type DoctorCheck, type DoctorCheckResult } from '../../core/index.js';
import type { ServerConfig } from './config.js';
import { listenError } from './http-server.js';
import { isLoopbackAddress } from './origins.js';

/**
 * `agent-sdk doctor`: the configured host and port can be listened on (a listener is opened and closed again
 * at once), and a non-loopback host has API keys (without them the server refuses to start).
 *
 * @example
 * ```sh
 * $ AGENT_SDK_PORT=8787 npx agent-sdk doctor   # while another server holds 8787
 * ✗ server: The server could not listen on 127.0.0.1:8787: EADDRINUSE
 *     hint: Another process listens on port 8787 (another agent-sdk server?): stop it, or choose another port (--port, AGENT_SDK_PORT, …
 * ```
 */
export const serverDoctorCheck: DoctorCheck = {
  name: 'server',
  async run({ config, signal }) {
    const { host, port, apiKeys } = config as ServerConfig;
    const results: DoctorCheckResult[] = [await canListen(host, port, signal)];
    if (!isLoopbackAddress(host) && apiKeys.length === 0) {
      const refused = sdkError('ASDK_SERVER_NO_API_KEY', { host });
      results.push({ name: 'server access', ok: false, detail: refused.message, hint: refused.hint });
    }
    return results;
  },
};

/** Opens a listener on host:port and closes it again: nothing is served, nothing is left behind. */
function canListen(host: string, port: number, signal: AbortSignal): Promise<DoctorCheckResult> {
  return new Promise((resolve) => {
    const server = createServer();
    const onAbort = () => server.close(() => resolve({ ok: false, detail: `listening on ${host}:${port} did not finish in time` }));
    server.once('error', (error: NodeJS.ErrnoException) => {
      signal.removeEventListener('abort', onAbort);
      const failure = listenError(error, host, port);
      resolve({ ok: false, detail: failure.message, hint: failure.hint });
    });
    server.listen({ host, port, exclusive: true }, () => {
      signal.removeEventListener('abort', onAbort);
      const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
      server.close(() => resolve({ ok: true, detail: port === 0 ? `${host} can be listened on (port 0: a free port is picked at start)` : `${where} is free to listen on` }));
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
