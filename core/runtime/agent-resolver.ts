import { Type } from 'typebox';
import { sdkError } from '../errors/agent-sdk-error.js';
import type { AgentDefinition, MemoryPolicy, RunLimits } from '../ports/agent.js';
import type { ChatMessage, ModelToolSpec } from '../ports/model.js';
import type { ToolInfo } from '../ports/tool.js';
import { didYouMean } from '../util/suggest.js';
import { agentDefinitionProblems } from './agent-schema.js';
import { RESERVED_TOOL_PREFIX } from './tool-registry.js';

/** An agent made ready to run: its chain, the tools it is offered (as the model sees them), its delegates. */
export interface ResolvedAgent {
  readonly name: string;
  readonly definition: AgentDefinition;
  readonly instructions: string;
  /** The instructions as the first message, shared by every run of the agent. */
  readonly systemMessage: ChatMessage;
  readonly chain: readonly string[];
  readonly tools: readonly ModelToolSpec[];
  /** Registry tools the agent may call, by name, with their version for `tool.call`. */
  readonly allowed: ReadonlyMap<string, string>;
  /** Sub-agents by tool name (`agent.researcher`). */
  readonly delegates: ReadonlyMap<string, ResolvedAgent>;
  readonly limits: Partial<RunLimits>;
  readonly memory?: MemoryPolicy;
  readonly temperature?: number;
  readonly maxOutputTokens?: number;
  /** Tool names the definition lists that no plugin registered (presets only; agents from code are refused). */
  readonly missingTools: readonly string[];
}

export interface ResolverSources {
  tools(): readonly ToolInfo[];
  hasModel(name: string): boolean;
  modelNames(): readonly string[];
}

export const DELEGATION_TOOL_VERSION = '1.0.0';

/** The input every `agent.<name>` tool takes. */
export const DelegationInput = Type.Object(
  { task: Type.String({ minLength: 1, description: 'What the agent should do, with every detail it needs: it sees nothing else of this conversation' }) },
  { additionalProperties: false },
);

/**
 * Turns agent definitions into {@link ResolvedAgent}s, once per definition object. `strict` (agents from
 * code) refuses tool names that match nothing; presets keep running without a tool whose pack is disabled.
 */
export class AgentResolver {
  readonly #cache = new WeakMap<AgentDefinition, ResolvedAgent>();
  readonly #sources: ResolverSources;

  constructor(sources: ResolverSources) {
    this.#sources = sources;
  }

  resolve(definition: AgentDefinition, options: { name: string; strict: boolean; what: string }): ResolvedAgent {
    const cached = this.#cache.get(definition);
    if (cached) return cached;
    const problems = agentDefinitionProblems(definition, options.what);
    if (problems.length) throw sdkError('ASDK_AGENT_INVALID', { agent: options.what, reason: problems.join('; ') });
    const resolved = this.#build(definition, options.name, options.strict, options.what);
    this.#cache.set(definition, resolved);
    return resolved;
  }

  #build(definition: AgentDefinition, name: string, strict: boolean, what: string): ResolvedAgent {
    const chain = definition.model === undefined ? ['default'] : typeof definition.model === 'string' ? [definition.model] : [...definition.model];
    for (const model of chain) {
      if (!this.#sources.hasModel(model)) {
        const names = this.#sources.modelNames();
        throw sdkError('ASDK_AGENT_INVALID', { agent: what, reason: `model "${model}" is not configured${didYouMean(model, names)} (models: ${names.join(', ')})` });
      }
    }
    const registry = this.#sources.tools();
    const allowed = new Map<string, string>();
    const tools: ModelToolSpec[] = [];
    const missing: string[] = [];
    for (const pattern of definition.tools ?? []) {
      const matches = registry.filter((tool) => matchesPattern(tool.name, pattern));
      if (!matches.length) {
        const isPattern = pattern === '*' || pattern.endsWith('.*');
        if (!isPattern) {
          if (strict) {
            throw sdkError('ASDK_AGENT_INVALID', {
              agent: what,
              reason: `tool "${pattern}" is not registered${didYouMean(pattern, registry.map((t) => t.name))}`,
            });
          }
          missing.push(pattern);
        }
        continue;
      }
      for (const tool of matches) {
        if (allowed.has(tool.name)) continue;
        allowed.set(tool.name, tool.version);
        tools.push({ name: tool.name, description: tool.description, inputSchema: tool.input });
      }
    }
    const delegates = new Map<string, ResolvedAgent>();
    for (const [childName, child] of Object.entries(definition.agents ?? {})) {
      const toolName = `${RESERVED_TOOL_PREFIX}${childName}`;
      const resolved = this.resolve(child, { name: child.name ?? childName, strict, what: `${what}.agents.${childName}` });
      delegates.set(toolName, resolved);
      tools.push({
        name: toolName,
        description: child.description ?? `Delegates a task to the ${childName} agent and returns its answer.`,
        inputSchema: DelegationInput,
      });
    }
    return Object.freeze({
      name,
      definition,
      instructions: definition.instructions,
      systemMessage: Object.freeze({ role: 'system' as const, content: definition.instructions }),
      chain: Object.freeze(chain),
      tools: Object.freeze(tools),
      allowed,
      delegates,
      limits: definition.limits ?? {},
      memory: definition.memory,
      temperature: definition.temperature,
      maxOutputTokens: definition.maxOutputTokens,
      missingTools: Object.freeze(missing),
    });
  }
}

/** `calculator` matches itself, `time.*` every `time.` tool, `*` every tool. */
export function matchesPattern(name: string, pattern: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return name.startsWith(pattern.slice(0, -1));
  return name === pattern;
}
