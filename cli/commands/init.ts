import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { sdkError } from '../../core/index.js';
import { batteries, createKernel } from '../../index.js';
import { parseCommandArgs } from '../args.js';
import { EXIT, type Command } from '../command.js';
import { renderConfigTemplate } from '../config-template.js';
import { colours } from '../output.js';

export const initCommand: Command = {
  usage: `Usage: agent-sdk init [--file <path>] [--force]

Writes a commented agent-sdk.config.yaml that shows every section and key with its default (commented out, so
the file starts out equal to the embedded default), then checks that it is valid.

Options:
      --file <path>  Where to write (default: ./agent-sdk.config.yaml)
  -f, --force        Replace an existing file
  -h, --help         Show this help
`,
  async run(argv) {
    const { values, positionals } = parseCommandArgs('init', argv, { file: { type: 'string' }, force: { type: 'boolean', short: 'f' } });
    if (positionals.length) throw sdkError('ASDK_CLI_USAGE', { command: 'init', reason: `unexpected argument "${positionals[0]}"` });
    const file = resolve(values.file ?? 'agent-sdk.config.yaml');
    if (existsSync(file) && !values.force) {
      throw sdkError('ASDK_CLI_USAGE', { command: 'init', reason: `${file} already exists; pass --force to replace it` });
    }
    writeFileSync(file, renderConfigTemplate(batteries()));
    const report = await (await createKernel({ config: file })).check();
    const problems = [...report.configProblems, ...report.graphProblems];
    const c = colours(process.stdout);
    if (problems.length) {
      process.stdout.write(`${c.red('✗')} wrote ${file}, but it does not validate (${problems[0].code}); please report this\n`);
      return EXIT.failed;
    }
    process.stdout.write(`${c.green('✓')} wrote ${file}\n  Edit it, then check it with ${c.bold('npx agent-sdk doctor')} and start with ${c.bold('npx agent-sdk server')}.\n`);
    return EXIT.ok;
  },
};
