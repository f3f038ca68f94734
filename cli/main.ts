#!/usr/bin/env node
import 'reflect-metadata';
import { EXIT, type Command } from './command.js';
import { printError } from './output.js';
import { packageInfo } from './package-info.js';


const commands: Record<string, () => Promise<Command>> = {
  doctor: async () => (await import('./commands/doctor.js')).doctorCommand,
  server: async () => (await import('./commands/server.js')).serverCommand,
  run: async () => (await import('./commands/run.js')).runCommand,
  migrate: async () => (await import('./commands/migrate.js')).migrateCommand,
  init: async () => (await import('./commands/init.js')).initCommand,
  ingest: async () => (await import('./commands/ingest.js')).ingestCommand,
};

/** One line per command for `--help`; kept here so help does not load every command. */
const summaries: Record<string, string> = {
  server: 'Start the platform (embedded default when there is no config file)',
  doctor: 'Check the config, the plugin graph and the environment',
  run: 'Run a preset on a prompt and stream the answer',
  migrate: 'Apply, revert or list database migrations (up, down, status)',
  init: 'Write a commented agent-sdk.config.yaml showing every section',
  ingest: 'Add files or folders to a document collection (RAG), or delete or re-embed them',
};

function mainHelp(): string {
  const width = Math.max(...Object.keys(summaries).map((n) => n.length));
  return [
    'agent-sdk: a battery-included agent platform',
    '',
    'Usage: agent-sdk <command> [options]',
    '',
    'Commands:',
    ...Object.entries(summaries).map(([name, summary]) => `  ${name.padEnd(width)}  ${summary}`),
    '',
    'Options:',
    '  -h, --help     Show help (also: agent-sdk <command> --help)',
    '  -v, --version  Print the version',
    '',
    'Exit codes: 0 success, 1 failure, 2 usage error, 130 interrupted (Ctrl-C).',
    'Docs: docs/cli.md',
    '',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    if (first === 'help' && rest[0] && commands[rest[0]]) {
      process.stdout.write((await commands[rest[0]]()).usage);
      return EXIT.ok;
    }
    process.stdout.write(mainHelp());
    return first === undefined ? EXIT.usage : EXIT.ok;
  }
  if (first === '-v' || first === '--version') {
    process.stdout.write(`${packageInfo().version}\n`);
    return EXIT.ok;
  }
  const load = commands[first];
  if (!load) {
    const { didYouMean } = await import('../core/util/suggest.js');
    process.stderr.write(`✗ Unknown command "${first}"${didYouMean(first, Object.keys(commands))}\n  Run \`agent-sdk --help\` for the list.\n`);
    return EXIT.usage;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.usage);
    return EXIT.ok;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    printError(error);
    process.exitCode = (error as { code?: string }).code === 'ASDK_CLI_USAGE' ? EXIT.usage : EXIT.failed;
  },
);
