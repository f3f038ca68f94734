import type { ErrorSpec } from '../registry.js';

/**
 * Codes raised by the runtime area: run requests, the outcomes of runs (the `error.code` of `run.failed`),
 * the model router, the tool registry (the `code` of `tool.error`), the policy chain and presets.
 */
export const runtimeErrors = {
  ASDK_RUN_INVALID_REQUEST: {
    status: 400,
    message: 'Invalid run request: {reason}',
    hint: 'Give `input` (a non-empty string) and exactly one of `preset` or `agent`; see docs/embedding.md.',
  },
  ASDK_PRESET_NOT_FOUND: {
    status: 404,
    message: 'Unknown preset "{preset}"{suggestion}',
    hint: 'Available presets: {available}. Define your own under `presets:` in the config file (docs/presets.md).',
  },
  ASDK_AGENT_INVALID: {
    status: 400,
    message: 'Invalid agent {agent}: {reason}',
    hint: 'An agent needs `instructions` (a string); `model` names models from the `models:` config, `tools` names registered tools or `pack.*` patterns.',
  },
  ASDK_RUN_NOT_FOUND: {
    status: 404,
    message: 'Run "{runId}" does not exist in org "{orgId}"',
    hint: 'Check the run id; runs of another org are invisible.',
  },
  ASDK_RUN_NOT_LOCAL: {
    status: 409,
    message: 'Run "{runId}" is being executed by another process (or was interrupted); it cannot be cancelled from here',
    hint: 'Cancel it through the process that runs it; a run left "running" by a crashed process stays so until recovered.',
  },
  ASDK_RUNTIME_STOPPED: {
    status: 503,
    message: 'The runtime is stopping; the run was not started',
    hint: 'Start runs while the kernel is started; create a new kernel after kernel.stop().',
  },
  ASDK_RUN_MAX_STEPS: {
    status: 422,
    message: 'The run reached its limit of {limit} model step(s) and the model still wanted to call tools',
    hint: 'Raise limits.maxSteps (run request, agent or `runtime.limits`), or give the agent instructions that need fewer steps.',
  },
  ASDK_RUN_MAX_TOOL_CALLS: {
    status: 422,
    message: 'The model asked for {requested} more tool call(s) after {used}; the limit is {limit}',
    hint: 'Raise limits.maxToolCalls (run request, agent or `runtime.limits`).',
  },
  ASDK_RUN_MAX_TOKENS: {
    status: 422,
    message: 'The run used {used} tokens; its limit is {limit}',
    hint: 'Raise limits.maxTokens, shorten the session (a memory policy), or ask for less.',
  },
  ASDK_RUN_TIMEOUT: {
    status: 504,
    message: 'The run did not finish within {timeoutMs} ms',
    hint: 'Raise limits.timeoutMs, or find the slow model call or tool in the run\'s events (durationMs of tool.result).',
  },
  ASDK_RUN_STORAGE_FAILED: {
    status: 503,
    message: 'Run "{runId}" could not {operation}: {reason}',
    hint: 'The storage did not accept the write; check that it is reachable (`agent-sdk doctor`). The cause is kept below.',
  },
  ASDK_RUN_INTERNAL: {
    status: 500,
    message: 'Run "{runId}" failed unexpectedly: {reason}',
    hint: 'This is a bug in agent-sdk or in a plugin; the cause is kept in the log (logLevel debug shows the stack).',
  },
  ASDK_PRESET_INVALID: {
    status: 500,
    message: 'Preset "{preset}" (from {source}) is invalid: {reason}',
    hint: 'Fix the preset definition; `model` entries must be names under `models:` and `tools` names of registered tools.',
  },
  ASDK_PRESET_DUPLICATE: {
    status: 500,
    message: 'Preset "{preset}" is defined by both {first} and {second}',
    hint: 'Preset names are unique; rename one, or disable one of the plugins in plugins.disable.',
  },
  ASDK_MODEL_UNKNOWN: {
    status: 400,
    message: 'Unknown model "{model}"{suggestion}',
    hint: 'Models are the names under `models:` in the config ({available}); `default` is the offline model unless you configure it.',
  },
  ASDK_MODEL_PROVIDER_UNKNOWN: {
    status: 500,
    message: 'models.{model}: unknown provider "{provider}"{suggestion} (available: {available})',
    hint: 'Each provider comes from a plugin (adapters/model-*); check plugins.disable and plugins.load.',
  },
  ASDK_MODEL_PROVIDER_DUPLICATE: {
    status: 500,
    message: 'Model provider "{provider}" is contributed by both "{first}" and "{second}"',
    hint: 'Provider names are unique; disable one of the two plugins in plugins.disable.',
  },
  ASDK_MODEL_CONFIG_INVALID: {
    status: 500,
    message: 'models.{model} is invalid: {reason}',
    hint: 'Fix the options of this model; docs/models.md lists each provider\'s options.',
  },
  ASDK_MODEL_UNAVAILABLE: {
    status: 503,
    message: 'No model of [{chain}] answered: {reason}',
    hint: 'Every model failed with transient errors (429, 5xx, timeouts, dropped connections) after its retries; try again later, raise models.<name>.retry, or add a fallback model to the chain.',
  },
  ASDK_MODEL_REJECTED: {
    status: 502,
    message: 'Model "{model}" refused the request: {reason}',
    hint: 'A 4xx answer is not retried: check the API key, the model name and the base URL in models.{model}.',
  },
  ASDK_TOOL_NOT_FOUND: {
    status: 404,
    message: 'Unknown tool "{tool}"{suggestion}',
    hint: 'Call one of the tools offered to this agent: {available}.',
  },
  ASDK_TOOL_NOT_ALLOWED: {
    status: 403,
    message: 'Tool "{tool}" is not offered to this agent',
    hint: 'Call one of the tools offered to this agent: {available}. To offer it, add it to the agent\'s `tools`.',
  },
  ASDK_TOOL_INVALID_ARGS: {
    status: 400,
    message: 'Invalid arguments for tool "{tool}": {reason}',
    hint: 'Call the tool again with arguments that match its input schema.',
  },
  ASDK_TOOL_TIMEOUT: {
    status: 504,
    message: 'Tool "{tool}" did not finish within {timeoutMs} ms',
    hint: 'The call was aborted; try again with a smaller request, or raise the tool\'s timeout.',
  },
  ASDK_TOOL_FAILED: {
    status: 500,
    message: 'Tool "{tool}" failed: {reason}',
    hint: 'The tool threw an error; the message says why. Fix the arguments or try another approach.',
  },
  ASDK_TOOL_INVALID_OUTPUT: {
    status: 500,
    message: 'Tool "{tool}" returned a result that does not match its output schema: {reason}',
    hint: 'This is a bug in the tool; its plugin must return what its `output` schema declares.',
  },
  ASDK_TOOL_CANCELLED: {
    status: 409,
    message: 'Tool "{tool}" was stopped: {reason}',
    hint: 'The run was cancelled or ran out of time while the tool was working.',
  },
  ASDK_TOOL_DUPLICATE: {
    status: 500,
    message: 'Tool "{tool}" is contributed by both "{first}" and "{second}"',
    hint: 'Tool names are unique; disable one of the two plugins in plugins.disable.',
  },
  ASDK_TOOL_DEFINITION_INVALID: {
    status: 500,
    message: 'Tool "{tool}" from plugin "{plugin}" is invalid: {reason}',
    hint: 'Names are dotted lowercase (`pack.action`), versions semver; `input` and `output` are TypeBox object schemas and `execute` a function.',
  },
  ASDK_POLICY_DENIED: {
    status: 403,
    message: 'Policy "{policy}" denied {point}: {reason}',
    hint: 'The policy chain refused this action; ask an administrator, or change what the request asks for.',
  },
  ASDK_POLICY_FAILED: {
    status: 500,
    message: 'Policy "{policy}" threw at {point}: {reason}',
    hint: 'A throwing policy counts as a denial (fail closed); fix the policy plugin.',
  },
  ASDK_POLICY_DUPLICATE: {
    status: 500,
    message: 'Policy "{policy}" is contributed by both "{first}" and "{second}"',
    hint: 'Policy ids are unique; rename one, or disable one of the plugins.',
  },
  ASDK_DELEGATION_TOO_DEEP: {
    status: 422,
    message: 'Agent "{agent}" cannot delegate: runs are nested {depth} deep, the limit is {limit}',
    hint: 'Sub-agents are offered as tools; avoid agent definitions that delegate back to themselves.',
  },
} as const satisfies Record<string, ErrorSpec>;
