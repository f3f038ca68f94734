import { formatProblem, isAgentSdkError, type Problem } from '../core/index.js';

/** Colour only where a person reads it: a TTY, and not when NO_COLOR is set. */
export function colours(stream: NodeJS.WriteStream) {
  const on = Boolean(stream.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
  const wrap = (open: number, close: number) => (text: string) => (on ? `\u001b[${open}m${text}\u001b[${close}m` : text);
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
    magenta: wrap(35, 39),
  };
}

/** Prints an error as a person should read it: code, message, each problem, hint. Never a stack trace. */
export function printError(error: unknown, stream: NodeJS.WriteStream = process.stderr): void {
  const c = colours(stream);
  if (isAgentSdkError(error)) {
    stream.write(`${c.red('✗')} ${c.bold(error.code)}: ${error.message}\n`);
    for (const p of error.problems) stream.write(formatProblemLines(p, c));
    if (error.hint && !error.problems.length) stream.write(`  ${c.dim('hint:')} ${error.hint}\n`);
    const cause = error.cause as Error | undefined;
    if (cause && !error.problems.length && cause.message && !error.message.includes(cause.message)) {
      stream.write(`  ${c.dim('cause:')} ${cause.message}\n`);
    }
    if (process.env.AGENT_SDK_DEBUG && cause?.stack) stream.write(`${cause.stack}\n`);
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  stream.write(`${c.red('✗')} ${message}\n`);
  if (process.env.AGENT_SDK_DEBUG && error instanceof Error && error.stack) stream.write(`${error.stack}\n`);
}

export function formatProblemLines(p: Problem, c: ReturnType<typeof colours>): string {
  const where = [p.path && c.cyan(p.path), p.plugin && !p.path && c.cyan(`plugin ${p.plugin}`)].filter(Boolean).join(' ');
  let text = `  - ${c.bold(p.code)}${where ? ` ${where}` : ''}: ${p.message}\n`;
  const detail = [p.expected && `expected ${p.expected}`, p.found && `found ${p.found}`].filter(Boolean).join(', ');
  if (detail) text += `      ${c.dim(detail)}\n`;
  if (p.hint) text += `      ${c.dim('hint:')} ${p.hint}\n`;
  return text;
}

export { formatProblem };
