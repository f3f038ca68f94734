import { Type } from 'typebox';
import { contribution, defineTool, definePlugin, extensionPoints, ToolFailure } from '../../core/index.js';
import { EXPRESSION_LIMITS, ExpressionError, evaluateExpression } from './expression.js';

export { evaluateExpression, ExpressionError, EXPRESSION_LIMITS } from './expression.js';

/**
 * Rounds away binary floating-point noise (0.1 + 0.2 gives 0.3, not 0.30000000000000004) by keeping 15
 * significant digits; integers are returned exactly.
 */
export function presentResult(value: number): number {
  if (Number.isInteger(value)) return value;
  const rounded = Number(value.toPrecision(15));
  return Object.is(rounded, -0) ? 0 : rounded;
}

/** The `calculator` tool: exact-enough arithmetic for models, which are bad at it. */
export const calculatorTool = defineTool({
  name: 'calculator',
  version: '1.0.0',
  description:
    'Evaluates an arithmetic expression and returns the number. Use it for any calculation instead of doing it in your head. ' +
    'Supports numbers (2, 2.5, 6.02e23), + - * / % (remainder), ^ or ** (power, right-associative), unary minus, parentheses, ' +
    'the functions sqrt, abs, round(x[, digits]), floor, ceil, min(a, b, ...), max(...), sin, cos, tan (radians), log (base 10, or log(x, base)), ln, exp, pow(x, y), ' +
    'and the constants pi and e. Example: "(17 * 23) + sqrt(16)".',
  input: Type.Object(
    {
      expression: Type.String({
        minLength: 1,
        maxLength: EXPRESSION_LIMITS.maxLength,
        description: 'The expression, e.g. "17 * 23" or "round(100 * 1.07^5, 2)"; no units, no thousands separators',
      }),
    },
    { additionalProperties: false },
  ),
  output: Type.Object(
    {
      result: Type.Number({ description: 'The value; non-integers are given to 15 significant digits' }),
      expression: Type.String({ description: 'The expression as evaluated' }),
    },
    { additionalProperties: false },
  ),
  timeoutMs: 1_000,
  capabilities: ['compute'],
  async execute({ expression }) {
    try {
      return { result: presentResult(evaluateExpression(expression)), expression: expression.trim() };
    } catch (error) {
      if (error instanceof ExpressionError) throw new ToolFailure(error.code, error.message, { cause: error });
      throw error;
    }
  },
});

/**
 * The calculator tool pack (`tools-calculator`, no configuration).
 *
 * @example
 * ```ts
 * const kernel = await startTestKernel({ plugins: [calculatorPlugin] });
 * ```
 */
export const calculatorPlugin = definePlugin({
  id: 'tools-calculator',
  version: '1.0.0',
  description: 'The calculator tool: arithmetic through a real expression parser',
  contributes: [contribution(extensionPoints.tools, calculatorTool)],
});

export default calculatorPlugin;
