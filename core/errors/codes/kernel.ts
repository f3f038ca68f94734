import type { ErrorSpec } from '../registry.js';

/** Codes raised by the kernel, plugin graph, lifecycle, configuration and CLI. */
export const kernelErrors = {
  ASDK_CONFIG_INVALID: {
    status: 500,
    message: 'The configuration has {count} problem(s)',
    hint: 'Fix each problem listed; `agent-sdk doctor` lists them again without starting anything.',
  },
  ASDK_CONFIG_NOT_FOUND: {
    status: 500,
    message: 'Config file {file} does not exist',
    hint: 'Check the path given with --config or AGENT_SDK_CONFIG, or run `agent-sdk init` to write one.',
  },
  ASDK_CONFIG_AMBIGUOUS: {
    status: 500,
    message: 'Found several config files in {dir}: {files}',
    hint: 'Keep one agent-sdk.config.* file, or choose one with --config.',
  },
  ASDK_CONFIG_PARSE: {
    status: 500,
    message: 'Could not read {file}: {reason}',
    hint: 'Fix the syntax at the position shown; YAML is indentation-sensitive and JSON allows no trailing commas.',
  },
  ASDK_CONFIG_UNKNOWN_KEY: {
    status: 500,
    message: 'Unknown key "{key}"{suggestion}',
    hint: 'Remove the key or correct its spelling; docs/config.md lists every key.',
  },
  ASDK_CONFIG_TYPE: {
    status: 500,
    message: 'Wrong type: expected {expected}, found {found}',
    hint: 'Change the value to {expected}; quote strings in YAML when they look like numbers or booleans.',
  },
  ASDK_CONFIG_VALUE: {
    status: 500,
    message: 'Invalid value: {reason}',
    hint: 'Choose a value that satisfies the rule in the message; docs/config.md describes each key.',
  },
  ASDK_CONFIG_REQUIRED: {
    status: 500,
    message: 'Missing required key "{key}"',
    hint: 'Add "{key}" at this path.',
  },
  ASDK_CONFIG_ENV_MISSING: {
    status: 500,
    message: 'Environment variable {name} is not set',
    hint: 'Export {name}, or write ${env:{name}:-fallback} to give a default.',
  },
  ASDK_CONFIG_FILE_REF: {
    status: 500,
    message: 'Could not read the file {file}: {reason}',
    hint: 'Paths in ${file:...} are relative to the config file; check that the file exists and is readable.',
  },
  ASDK_CONFIG_ENV_OVERRIDE: {
    status: 500,
    message: 'Environment override {name}="{value}" is not {expected}',
    hint: 'Set {name} to {expected}, or unset it.',
  },
  ASDK_PLUGIN_LOAD_FAILED: {
    status: 500,
    message: 'Could not load plugin module "{specifier}": {reason}',
    hint: 'Entries of plugins.load are paths relative to the config file or package names; the module must export a plugin as default or as `plugin`/`plugins`.',
  },
  ASDK_PLUGIN_INVALID: {
    status: 500,
    message: 'Plugin definition is invalid: {reason}',
    hint: 'Plugin ids are kebab-case (e.g. "my-tools") and versions are semver (e.g. "1.0.0"); see docs/plugins.md.',
  },
  ASDK_PLUGIN_GRAPH_INVALID: {
    status: 500,
    message: 'The plugin graph has {count} problem(s)',
    hint: 'Fix each problem listed; `agent-sdk doctor` lists them again without starting anything.',
  },
  ASDK_PLUGIN_UNKNOWN: {
    status: 500,
    message: 'Unknown plugin "{id}"{suggestion}',
    hint: 'Check the spelling, or add the module that defines it to plugins.load.',
  },
  ASDK_PLUGIN_DUPLICATE: {
    status: 500,
    message: 'Two plugins use the id "{id}"',
    hint: 'Plugin ids must be unique; remove one of them or give it another id.',
  },
  ASDK_PLUGIN_CYCLE: {
    status: 500,
    message: 'Circular dependency: {cycle}',
    hint: 'Break the cycle: move the shared part into its own plugin or make one dependency optional.',
  },
  ASDK_PORT_MISSING: {
    status: 500,
    message: 'Plugin "{plugin}" requires port {port}, but no enabled plugin provides it',
    hint: 'Enable a plugin that provides {port}{disabled}.',
  },
  ASDK_PORT_CONFLICT: {
    status: 500,
    message: 'Port {port} is provided by both "{first}" and "{second}"',
    hint: 'A single port has one provider; disable one of the two plugins in plugins.disable.',
  },
  ASDK_PORT_NOT_PROVIDED: {
    status: 500,
    message: 'Plugin "{plugin}" declares that it provides {port} but did not provide it during init',
    hint: 'Call ctx.provide({port}, implementation) in init(), or remove the port from `provides`.',
  },
  ASDK_PORT_UNDECLARED: {
    status: 500,
    message: 'Plugin "{plugin}" provided {port} without declaring it',
    hint: 'Add the port to the plugin\'s `provides` list so the kernel can order plugins before it starts them.',
  },
  ASDK_PORT_UNAVAILABLE: {
    status: 500,
    message: 'Port {port} is not available{reason}',
    hint: 'Resolve ports after the kernel has initialised, and only ports that some plugin provides.',
  },
  ASDK_PLUGIN_INIT_FAILED: {
    status: 500,
    message: 'Plugin "{plugin}" failed in init: {reason}',
    hint: 'See the cause below; the plugin\'s configuration slice is "{plugin}" in the config file.',
  },
  ASDK_PLUGIN_START_FAILED: {
    status: 500,
    message: 'Plugin "{plugin}" failed to start: {reason}',
    hint: 'See the cause below; plugins started before it were stopped again.',
  },
  ASDK_PLUGIN_START_TIMEOUT: {
    status: 500,
    message: 'Plugin "{plugin}" did not finish {phase} within {timeoutMs} ms',
    hint: 'Its {phase}() returned a promise that never settled; look for an await on something that never resolves, or raise kernel.startTimeoutMs.',
  },
  ASDK_PLUGIN_STOP_FAILED: {
    status: 500,
    message: '{count} plugin(s) failed to stop cleanly: {plugins}',
    hint: 'Every stop hook still ran; see each problem for its cause.',
  },
  ASDK_PLUGIN_STOP_TIMEOUT: {
    status: 500,
    message: 'Plugin "{plugin}" did not finish stopping within {timeoutMs} ms',
    hint: 'Its stop() returned a promise that never settled; close servers and timers it opened, or raise kernel.stopTimeoutMs.',
  },
  ASDK_KERNEL_STARTED: {
    status: 500,
    message: 'Cannot register plugin "{plugin}": the kernel has already started',
    hint: 'Pass every plugin to createKernel() or kernel.use() before kernel.start().',
  },
  ASDK_KERNEL_STATE: {
    status: 500,
    message: 'Cannot {action} while the kernel is {state}',
    hint: 'A kernel starts once and stops once; create a new kernel to start again.',
  },
  ASDK_EXTENSIONS_SEALED: {
    status: 500,
    message: 'Plugin "{plugin}" contributed to extension point {point} after init',
    hint: 'Contribute in init() (or statically in `contributes`); extension points are read in start().',
  },
  ASDK_CLI_USAGE: {
    status: 400,
    message: '{reason}',
    hint: 'Run `agent-sdk {command} --help` for usage.',
  },
} as const satisfies Record<string, ErrorSpec>;
