import { createKernel } from '../../index.js';
import { ports } from '../../core/index.js';
import { parseCommandArgs } from '../args.js';
import { EXIT, type Command } from '../command.js';
import { colours } from '../output.js';

export const serverCommand: Command = {
  usage: `Usage: agent-sdk server [--config <file>] [--host <address>] [--port <number>]

Starts the platform: every enabled plugin, and the transports they provide. With no config file it runs the
embedded default. Stops cleanly on Ctrl-C or SIGTERM.

Options:
  -c, --config <file>  Config file (default: agent-sdk.config.* in the working directory)
      --host <address> Listen address (overrides server.host and AGENT_SDK_HOST)
      --port <number>  Listen port (overrides server.port and AGENT_SDK_PORT)
  -h, --help           Show this help
`,
  async run(argv) {
    const { values } = parseCommandArgs('server', argv, {
      config: { type: 'string', short: 'c' },
      host: { type: 'string' },
      port: { type: 'string' },
    });
    const env = { ...process.env };
    if (values.host) env.AGENT_SDK_HOST = values.host;
    if (values.port) env.AGENT_SDK_PORT = values.port;
    const kernel = await createKernel({ config: values.config, env });
    await kernel.start();
    const c = colours(process.stdout);
    const transports = kernel.get(ports.transport);
    const addresses = transports.map((t) => t.address()).filter(Boolean);
    process.stdout.write(`${c.green('✓')} agent-sdk started (${kernel.configFile ?? 'embedded default'})\n`);
    for (const address of addresses) process.stdout.write(`  ${c.bold('listening')} ${address}\n`);
    // A transport may have something to say at start (the HTTP server: that it runs open, without an API key).
    for (const transport of transports) {
      for (const warning of (transport as { warnings?(): readonly string[] }).warnings?.() ?? []) process.stdout.write(`  ${c.yellow('!')} ${warning}\n`);
    }
    if (!addresses.length) process.stdout.write(`  ${c.dim('no transport is enabled; nothing is listening')}\n`);

    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    process.stdout.write(`${c.dim(`${signal}: stopping...`)}\n`);
    await kernel.stop();
    return EXIT.ok;
  },
};
