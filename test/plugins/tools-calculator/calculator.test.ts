import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { extensionPoints } from '../../../core/index.js';
import { startTestKernel } from '../../../testing.js';
import { calculatorPlugin, calculatorTool, evaluateExpression, ExpressionError, presentResult } from '../../../plugins/tools-calculator/index.js';
import { accepts, assertWellFormed, callTool, toolFailure } from '../tools-support/tool-harness.js';

const cases: Array<[string, number]> = [
  ['17 * 23', 391],
  ['1 + 2 * 3', 7],
  ['(1 + 2) * 3', 9],
  ['10 - 4 - 3', 3],
  ['100 / 10 / 5', 2],
  ['7 % 3', 1],
  ['-7 % 3', -1],
  ['2 ^ 10', 1024],
  ['2 ** 10', 1024],
  ['2 ^ 3 ^ 2', 512],
  ['-2 ^ 2', -4],
  ['(-2) ^ 2', 4],
  ['2 ^ -1', 0.5],
  ['--3', 3],
  ['-+-3', 3],
  ['3 * -2', -6],
  ['1.5e3 + .5', 1500.5],
  ['6.02E23 / 1e23', 6.02],
  ['2.5E-3 * 1000', 2.5],
  ['sqrt(16) + abs(-3)', 7],
  ['round(2.5) + round(-2.5)', 0],
  ['round(3.14159, 2)', 3.14],
  ['floor(-1.5) + ceil(1.2)', 0],
  ['min(4, 2, 8) + max(1, 9)', 11],
  ['sin(0) + cos(0)', 1],
  ['tan(0)', 0],
  ['log(1000)', 3],
  ['log(8, 2)', 3],
  ['ln(e)', 1],
  ['exp(0)', 1],
  ['pow(2, 8)', 256],
  ['PI - pi', 0],
  ['Sqrt(9)', 3],
  ['2 × 3 ÷ 4 − 1', 0.5],
  ['  ( ( 1 ) )  ', 1],
  ['0.1 + 0.2', 0.3],
];

test('evaluates arithmetic with the usual precedence and associativity', () => {
  for (const [expression, expected] of cases) {
    const value = presentResult(evaluateExpression(expression));
    assert.ok(Math.abs(value - expected) < 1e-12, `${expression} = ${value}, expected ${expected}`);
  }
});

test('returns exact integers and hides float noise without losing big integers', () => {
  assert.is(presentResult(evaluateExpression('2^53')), 9007199254740992);
  assert.is(presentResult(evaluateExpression('1/3')), 0.333333333333333);
  assert.is(presentResult(evaluateExpression('-0')), 0);
  assert.ok(Object.is(presentResult(evaluateExpression('0 * -1')), 0));
});

const failures: Array<[string, string, number]> = [
  ['2 +', 'CALC_SYNTAX', 4],
  ['(1 + 2', 'CALC_SYNTAX', 7],
  ['1 + 2)', 'CALC_SYNTAX', 6],
  ['2pi', 'CALC_SYNTAX', 2],
  ['1.2.3', 'CALC_SYNTAX', 4],
  ['1,000 + 1', 'CALC_SYNTAX', 2],
  ['2 $ 3', 'CALC_SYNTAX', 3],
  ['   ', 'CALC_SYNTAX', 1],
  ['*3', 'CALC_SYNTAX', 1],
  ['sqrt 4', 'CALC_SYNTAX', 1],
  ['pi(2)', 'CALC_SYNTAX', 1],
  ['sqr(4)', 'CALC_UNKNOWN_NAME', 1],
  ['1 + x', 'CALC_UNKNOWN_NAME', 5],
  ['constructor(1)', 'CALC_UNKNOWN_NAME', 1],
  ['__proto__', 'CALC_UNKNOWN_NAME', 1],
  ['pow(2)', 'CALC_ARGUMENTS', 1],
  ['sqrt(1, 2)', 'CALC_ARGUMENTS', 1],
  ['min()', 'CALC_ARGUMENTS', 1],
  ['1 / 0', 'CALC_DIVISION_BY_ZERO', 3],
  ['5 % (2 - 2)', 'CALC_DIVISION_BY_ZERO', 3],
  ['0 ^ -1', 'CALC_DIVISION_BY_ZERO', 3],
  ['sqrt(-4)', 'CALC_DOMAIN', 1],
  ['ln(0)', 'CALC_DOMAIN', 1],
  ['log(8, 1)', 'CALC_DOMAIN', 1],
  ['(-8) ^ (1/3)', 'CALC_DOMAIN', 6],
  ['round(1, 0.5)', 'CALC_DOMAIN', 1],
  ['10 ^ 400', 'CALC_NOT_FINITE', 4],
  ['1e999', 'CALC_NOT_FINITE', 1],
  ['exp(1000)', 'CALC_NOT_FINITE', 1],
  ['1e308 * 10', 'CALC_NOT_FINITE', 7],
  ['('.repeat(65) + '1' + ')'.repeat(65), 'CALC_TOO_COMPLEX', 65],
  ['-'.repeat(70) + '1', 'CALC_TOO_COMPLEX', 65],
  ['2^'.repeat(70) + '1', 'CALC_TOO_COMPLEX', 130],
  ['1+'.repeat(600) + '1', 'CALC_TOO_COMPLEX', 1001],
  [`max(${Array(101).fill(1).join(',')})`, 'CALC_TOO_COMPLEX', 1],
];

test('refuses bad expressions with a code and the position of the problem', () => {
  for (const [expression, code, position] of failures) {
    try {
      const value = evaluateExpression(expression);
      assert.unreachable(`${expression} evaluated to ${value}`);
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      assert.is(error.code, code, `${expression}: ${error.message}`);
      assert.is(error.position, position, `${expression}: ${error.message}`);
      // Whole-expression problems (empty, too long) have no single position to name.
      if (expression.trim() && expression.length <= 1000) assert.match(error.message, `position ${position}`, `${expression}: ${error.message}`);
    }
  }
});

test('error messages tell the model how to fix the expression', () => {
  const unknown = (() => { try { evaluateExpression('sqr(4)'); } catch (e) { return (e as Error).message; } })();
  assert.match(unknown!, 'did you mean "sqrt"?');
  assert.match(unknown!, 'Functions: sqrt, abs');
  const implicit = (() => { try { evaluateExpression('2pi'); } catch (e) { return (e as Error).message; } })();
  assert.match(implicit!, 'write 2*pi');
  const args = (() => { try { evaluateExpression('pow(2)'); } catch (e) { return (e as Error).message; } })();
  assert.match(args!, 'pow(base, exponent)');
});

test('never evaluates code: names are looked up in fixed tables only', () => {
  for (const hostile of ['process.exit(1)', 'this', 'globalThis', 'eval("1")', 'toString()', 'valueOf(1)', 'hasOwnProperty(1)', 'Function("")']) {
    assert.throws(() => evaluateExpression(hostile), (e: unknown) => e instanceof ExpressionError, hostile);
  }
});

test('the tool: schema, result shape, and failures as ToolFailure codes', async () => {
  assertWellFormed(calculatorTool);
  assert.is(calculatorTool.name, 'calculator');
  assert.ok(accepts(calculatorTool.input, { expression: '1+1' }));
  assert.not.ok(accepts(calculatorTool.input, { expression: '1+1', extra: true }));
  assert.not.ok(accepts(calculatorTool.input, { expression: '' }));
  assert.not.ok(accepts(calculatorTool.input, { expression: 'x'.repeat(1001) }));
  assert.not.ok(accepts(calculatorTool.input, { expression: 42 }));
  assert.equal(await callTool(calculatorTool, { expression: ' 17 * 23 ' }), { result: 391, expression: '17 * 23' });
  const failure = await toolFailure(callTool(calculatorTool, { expression: '1 / (3 - 3)' }));
  assert.is(failure.code, 'CALC_DIVISION_BY_ZERO');
  assert.match(failure.message, 'position 3');
});

test('the plugin contributes the calculator tool', async () => {
  const kernel = await startTestKernel({ plugins: [calculatorPlugin] });
  const tools = kernel.contributions(extensionPoints.tools);
  assert.equal(tools.map((t) => `${t.pluginId}/${t.item.name}@${t.item.version}`), ['tools-calculator/calculator@1.0.0']);
  await kernel.stop();
});

test.run();
