// A plugin that contributes one tool. In your own project, import from 'agent-sdk' instead of '../../index.js'.
import { Type } from 'typebox';
import { defineTool, definePlugin, extensionPoints, ToolFailure } from '../../index.js';

/** The plugin's config slice, `hello-plugin:` in agent-sdk.config.yaml. */
const HelloConfig = Type.Object(
  {
    greeting: Type.String({ default: 'Hello', minLength: 1, description: 'The word to greet with' }),
  },
  { additionalProperties: false },
);

/** Builds the tool from the plugin's config, so each kernel's tool greets its own way. */
export function greetTool(greeting: string) {
  return defineTool({
    name: 'hello.greet',
    version: '1.0.0',
    description: 'Greets a person by name.',
    input: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100, description: 'Who to greet' }) }, { additionalProperties: false }),
    output: Type.Object({ message: Type.String() }),
    timeoutMs: 1_000,
    async execute({ name }) {
      if (name.trim() === '') throw new ToolFailure('HELLO_EMPTY_NAME', 'The name is blank; pass the name of a person.');
      return { message: `${greeting}, ${name}!` };
    },
  });
}

export const helloPlugin = definePlugin({
  id: 'hello-plugin',
  version: '1.0.0',
  description: 'Greets people: an example of a tool pack',
  config: HelloConfig,
  init({ config, contribute, logger }) {
    contribute(extensionPoints.tools, greetTool(config.greeting));
    logger.debug('hello.greet contributed', { greeting: config.greeting });
  },
});

export default helloPlugin;
