import { suggest } from '../../core/index.js';

/** Limits that keep one evaluation small whatever the input. */
export const EXPRESSION_LIMITS = Object.freeze({ maxLength: 1_000, maxDepth: 64, maxArguments: 100 });

/** Why an expression was refused, with the 1-based character position of the problem. */
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  constructor(
    readonly code: 'CALC_SYNTAX' | 'CALC_UNKNOWN_NAME' | 'CALC_ARGUMENTS' | 'CALC_DIVISION_BY_ZERO' | 'CALC_DOMAIN' | 'CALC_NOT_FINITE' | 'CALC_TOO_COMPLEX',
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

type TokenKind = 'number' | 'name' | 'op' | '(' | ')' | ',' | 'end';
interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** 0-based index into the expression. */
  readonly at: number;
  readonly value?: number;
}

const NUMBER = /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
/** Spellings people and models use for the same operators. */
const OPERATOR_ALIASES: Readonly<Record<string, string>> = { '**': '^', '×': '*', '÷': '/', '−': '-' };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    NUMBER.lastIndex = i;
    const number = NUMBER.exec(source);
    if (number) {
      tokens.push({ kind: 'number', text: number[0], at: i, value: Number(number[0]) });
      i += number[0].length;
      continue;
    }
    NAME.lastIndex = i;
    const name = NAME.exec(source);
    if (name) {
      tokens.push({ kind: 'name', text: name[0], at: i });
      i += name[0].length;
      continue;
    }
    if (source.startsWith('**', i)) {
      tokens.push({ kind: 'op', text: '^', at: i });
      i += 2;
      continue;
    }
    if ('+-*/%^'.includes(ch) || ch in OPERATOR_ALIASES) {
      tokens.push({ kind: 'op', text: OPERATOR_ALIASES[ch] ?? ch, at: i });
      i++;
      continue;
    }
    if (ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ kind: ch, text: ch, at: i });
      i++;
      continue;
    }
    const shown = source.codePointAt(i)! > 0xffff ? String.fromCodePoint(source.codePointAt(i)!) : ch;
    throw new ExpressionError('CALC_SYNTAX', `Unexpected character "${shown}" at position ${i + 1}; use numbers, + - * / % ^, parentheses, functions such as sqrt(x) and the constants pi and e`, i + 1);
  }
  tokens.push({ kind: 'end', text: 'the end', at: source.length });
  return tokens;
}

interface FunctionSpec {
  readonly min: number;
  readonly max: number;
  readonly usage: string;
  apply(args: number[], at: number): number;
}

function domain(condition: boolean, message: string, at: number): void {
  if (!condition) throw new ExpressionError('CALC_DOMAIN', `${message} at position ${at + 1}`, at + 1);
}

const unary = (usage: string, fn: (x: number) => number): FunctionSpec => ({ min: 1, max: 1, usage, apply: ([x]) => fn(x) });

// Maps, not object literals: a lookup of "constructor" or "__proto__" must not reach Object.prototype.
const FUNCTIONS: ReadonlyMap<string, FunctionSpec> = new Map(Object.entries({
  sqrt: { min: 1, max: 1, usage: 'sqrt(x)', apply: ([x], at) => (domain(x >= 0, `sqrt of a negative number (${x})`, at), Math.sqrt(x)) },
  abs: unary('abs(x)', Math.abs),
  round: {
    min: 1,
    max: 2,
    usage: 'round(x) or round(x, digits)',
    apply: ([x, digits = 0], at) => {
      domain(Number.isInteger(digits) && digits >= 0 && digits <= 15, `round's digits must be a whole number from 0 to 15, not ${digits}`, at);
      const factor = 10 ** digits;
      // Half away from zero, the way people round by hand (Math.round rounds -2.5 to -2).
      return (Math.sign(x) * Math.round(Math.abs(x) * factor)) / factor;
    },
  },
  floor: unary('floor(x)', Math.floor),
  ceil: unary('ceil(x)', Math.ceil),
  min: { min: 1, max: EXPRESSION_LIMITS.maxArguments, usage: 'min(a, b, ...)', apply: (args) => Math.min(...args) },
  max: { min: 1, max: EXPRESSION_LIMITS.maxArguments, usage: 'max(a, b, ...)', apply: (args) => Math.max(...args) },
  sin: unary('sin(radians)', Math.sin),
  cos: unary('cos(radians)', Math.cos),
  tan: unary('tan(radians)', Math.tan),
  log: {
    min: 1,
    max: 2,
    usage: 'log(x) for base 10, or log(x, base)',
    apply: ([x, base], at) => {
      domain(x > 0, `log of a number that is not positive (${x})`, at);
      if (base === undefined) return Math.log10(x);
      domain(base > 0 && base !== 1, `log base must be positive and not 1 (got ${base})`, at);
      return Math.log(x) / Math.log(base);
    },
  },
  ln: { min: 1, max: 1, usage: 'ln(x)', apply: ([x], at) => (domain(x > 0, `ln of a number that is not positive (${x})`, at), Math.log(x)) },
  exp: unary('exp(x)', Math.exp),
  pow: { min: 2, max: 2, usage: 'pow(base, exponent)', apply: ([x, y], at) => power(x, y, at) },
} satisfies Record<string, FunctionSpec>));

const CONSTANTS: ReadonlyMap<string, number> = new Map([['pi', Math.PI], ['e', Math.E]]);

function power(base: number, exponent: number, at: number): number {
  if (base === 0 && exponent < 0) throw new ExpressionError('CALC_DIVISION_BY_ZERO', `0 raised to a negative power divides by zero at position ${at + 1}`, at + 1);
  const result = base ** exponent;
  domain(!Number.isNaN(result), `${base}^${exponent} is not a real number`, at);
  return result;
}

/**
 * A recursive-descent parser that evaluates as it parses (no eval, no Function, no AST kept).
 * Grammar, loosest first:
 *   sum     := product (('+' | '-') product)*
 *   product := signed (('*' | '/' | '%') signed)*
 *   signed  := ('-' | '+') signed | power            so -2^2 = -(2^2)
 *   power   := primary ('^' signed)?                 right-associative: 2^3^2 = 2^(3^2); 2^-1 allowed
 *   primary := number | constant | name '(' sum (',' sum)* ')' | '(' sum ')'
 */
class Evaluator {
  #index = 0;
  #depth = 0;
  constructor(
    private readonly source: string,
    private readonly tokens: readonly Token[],
  ) {}

  run(): number {
    const value = this.#sum();
    const next = this.#peek();
    if (next.kind !== 'end') {
      const what = next.kind === ')' ? 'an unmatched ")"' : `"${next.text}"`;
      const hint = next.kind === 'number' || next.kind === 'name' || next.kind === '(' ? '; an operator is missing before it (write 2*pi, not 2pi)' : '';
      throw this.#error(next, `Unexpected ${what} at position ${next.at + 1}${hint}`);
    }
    return value;
  }

  #peek(): Token {
    return this.tokens[this.#index];
  }

  #take(): Token {
    return this.tokens[this.#index++];
  }

  #error(token: Token, message: string): ExpressionError {
    return new ExpressionError('CALC_SYNTAX', message, token.at + 1);
  }

  #enter(token: Token): void {
    if (++this.#depth > EXPRESSION_LIMITS.maxDepth) {
      throw new ExpressionError('CALC_TOO_COMPLEX', `The expression nests deeper than ${EXPRESSION_LIMITS.maxDepth} levels at position ${token.at + 1}`, token.at + 1);
    }
  }

  #sum(): number {
    let value = this.#product();
    for (let op = this.#peek(); op.kind === 'op' && (op.text === '+' || op.text === '-'); op = this.#peek()) {
      this.#take();
      const right = this.#product();
      value = finite(op.text === '+' ? value + right : value - right, op);
    }
    return value;
  }

  #product(): number {
    let value = this.#signed();
    for (let op = this.#peek(); op.kind === 'op' && (op.text === '*' || op.text === '/' || op.text === '%'); op = this.#peek()) {
      this.#take();
      const right = this.#signed();
      if ((op.text === '/' || op.text === '%') && right === 0) {
        throw new ExpressionError('CALC_DIVISION_BY_ZERO', `Division by zero at position ${op.at + 1}`, op.at + 1);
      }
      value = finite(op.text === '*' ? value * right : op.text === '/' ? value / right : value % right, op);
    }
    return value;
  }

  #signed(): number {
    const token = this.#peek();
    if (token.kind === 'op' && (token.text === '-' || token.text === '+')) {
      this.#take();
      this.#enter(token);
      const value = this.#signed();
      this.#depth--;
      return token.text === '-' ? -value : value;
    }
    return this.#power();
  }

  #power(): number {
    const base = this.#primary();
    const op = this.#peek();
    if (op.kind !== 'op' || op.text !== '^') return base;
    this.#take();
    this.#enter(op);
    const exponent = this.#signed();
    this.#depth--;
    return finite(power(base, exponent, op.at), op);
  }

  #primary(): number {
    const token = this.#take();
    switch (token.kind) {
      case 'number':
        return finite(token.value!, token);
      case '(': {
        this.#enter(token);
        const value = this.#sum();
        this.#depth--;
        const close = this.#take();
        if (close.kind !== ')') throw this.#error(close, `Expected ")" to close the "(" at position ${token.at + 1}, found ${describe(close)} at position ${close.at + 1}`);
        return value;
      }
      case 'name':
        return this.#name(token);
      default:
        throw this.#error(token, `Expected a number, a constant, a function or "(" at position ${token.at + 1}, found ${describe(token)}`);
    }
  }

  #name(token: Token): number {
    const name = token.text.toLowerCase();
    const next = this.#peek();
    const constant = CONSTANTS.get(name);
    if (constant !== undefined) {
      if (next.kind === '(') throw this.#error(token, `"${token.text}" is a constant, not a function (position ${token.at + 1}); write ${name}*(...) to multiply`);
      return constant;
    }
    const fn = FUNCTIONS.get(name);
    if (!fn) {
      const known = [...FUNCTIONS.keys(), ...CONSTANTS.keys()];
      const guess = suggest(name, known);
      throw new ExpressionError(
        'CALC_UNKNOWN_NAME',
        `Unknown name "${token.text}" at position ${token.at + 1}${guess ? `; did you mean "${guess}"?` : '.'} Functions: ${[...FUNCTIONS.keys()].join(', ')}; constants: pi, e`,
        token.at + 1,
      );
    }
    if (next.kind !== '(') throw this.#error(token, `The function ${name} needs its arguments in parentheses: ${fn.usage} (position ${token.at + 1})`);
    this.#take();
    this.#enter(token);
    const args: number[] = [];
    if (this.#peek().kind !== ')') {
      for (;;) {
        if (args.length === EXPRESSION_LIMITS.maxArguments) {
          throw new ExpressionError('CALC_TOO_COMPLEX', `${name} takes at most ${EXPRESSION_LIMITS.maxArguments} arguments (position ${token.at + 1})`, token.at + 1);
        }
        args.push(this.#sum());
        if (this.#peek().kind !== ',') break;
        this.#take();
      }
    }
    this.#depth--;
    const close = this.#take();
    if (close.kind !== ')') throw this.#error(close, `Expected "," or ")" in the arguments of ${name} at position ${close.at + 1}, found ${describe(close)}`);
    if (args.length < fn.min || args.length > fn.max) {
      const count = fn.min === fn.max ? `${fn.min}` : fn.max === EXPRESSION_LIMITS.maxArguments ? `at least ${fn.min}` : `${fn.min} or ${fn.max}`;
      throw new ExpressionError('CALC_ARGUMENTS', `${name} takes ${count} argument(s), got ${args.length} at position ${token.at + 1}: ${fn.usage}`, token.at + 1);
    }
    return finite(fn.apply(args, token.at), token);
  }
}

function describe(token: Token): string {
  return token.kind === 'end' ? 'the end of the expression' : `"${token.text}"`;
}

function finite(value: number, token: Token): number {
  if (Number.isFinite(value)) return value;
  throw new ExpressionError(
    'CALC_NOT_FINITE',
    `The result is too large to represent (beyond ±1.8e308) at position ${token.at + 1}, near "${token.text}"`,
    token.at + 1,
  );
}

/**
 * Evaluates an arithmetic expression: numbers (1, 2.5, .5, 6.02e23), + - * / % ^ (or **), unary minus,
 * parentheses, the functions sqrt abs round floor ceil min max sin cos tan log ln exp pow, and pi and e.
 * Throws an {@link ExpressionError} naming the position of the problem.
 *
 * @example
 * ```ts
 * evaluateExpression('17 * 23');            // 391
 * evaluateExpression('2^3^2');              // 512
 * evaluateExpression('round(pi, 2)');       // 3.14
 * ```
 */
export function evaluateExpression(source: string): number {
  if (source.length > EXPRESSION_LIMITS.maxLength) {
    throw new ExpressionError('CALC_TOO_COMPLEX', `The expression is ${source.length} characters long; the limit is ${EXPRESSION_LIMITS.maxLength}`, EXPRESSION_LIMITS.maxLength + 1);
  }
  if (source.trim() === '') throw new ExpressionError('CALC_SYNTAX', 'The expression is empty; write something like "17 * 23"', 1);
  const value = new Evaluator(source, tokenize(source)).run();
  return Object.is(value, -0) ? 0 : value;
}
