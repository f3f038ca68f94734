import { Type, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { describeErrors } from './schema-errors.js';

/** `limits`: each optional here; the runtime's defaults (`runtime.limits`) fill the rest. */
export const RunLimitsSchema = Type.Object(
  {
    maxSteps: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'Model calls per run' })),
    maxToolCalls: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000, description: 'Tool calls per run (delegations included)' })),
    maxTokens: Type.Optional(Type.Integer({ minimum: 1, description: 'Input + output tokens per run (nested runs included)' })),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 1, description: 'Wall-clock milliseconds per run' })),
  },
  { additionalProperties: false },
);

export const MemoryPolicySchema = Type.Object(
  {
    maxMessages: Type.Optional(Type.Integer({ minimum: 1, description: 'Messages of history kept' })),
    maxTokens: Type.Optional(Type.Integer({ minimum: 1, description: 'Estimated tokens of history kept (4 characters per token)' })),
    strategy: Type.Optional(Type.Union([Type.Literal('truncate'), Type.Literal('summarize')], { description: 'Drop older messages, or fold them into a summary' })),
  },
  { additionalProperties: false },
);

const AGENT_NAME = '^[a-z][a-z0-9_-]{0,63}$';

const agentFields = {
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  description: Type.Optional(Type.String({ maxLength: 1000, description: 'What the agent is good at (shown to a supervising agent)' })),
  instructions: Type.String({ description: 'The system prompt' }),
  model: Type.Optional(
    Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })], {
      description: 'A model name from `models:`, or a fallback chain of them',
    }),
  ),
  tools: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'Tool names; `pack.*` selects a pack, `*` every tool' })),
  limits: Type.Optional(RunLimitsSchema),
  memory: Type.Optional(MemoryPolicySchema),
  temperature: Type.Optional(Type.Number({ minimum: 0, maximum: 2 })),
  maxOutputTokens: Type.Optional(Type.Integer({ minimum: 1 })),
};

/** A sub-agent in config: an agent without sub-agents of its own (code may nest deeper). */
export const SubAgentSchema = Type.Object(agentFields, { additionalProperties: false });

/** An agent definition as data (validated when a run starts with `agent`, and for presets in config). */
export const AgentDefinitionSchema = Type.Object(
  {
    ...agentFields,
    agents: Type.Optional(
      Type.Object({}, { additionalProperties: SubAgentSchema, description: `Sub-agents offered as tools \`agent.<name>\`; names match ${AGENT_NAME}` }),
    ),
  },
  { additionalProperties: false },
);

/** A preset in the config file, under `presets.<name>`; the key is its name. */
export const PresetConfigSchema = Type.Object(
  {
    ...agentFields,
    description: Type.String({ minLength: 1, maxLength: 1000, description: 'One line shown in preset lists' }),
    agents: AgentDefinitionSchema.properties.agents,
  },
  { additionalProperties: false },
);

/** Names of presets and sub-agents. */
export const AGENT_NAME_PATTERN = new RegExp(AGENT_NAME);
export const PRESET_NAME_PATTERN = /^[a-z][a-z0-9_-]{0,63}$/;

// Agents from code may nest sub-agents deeper than the config schema allows: each level is checked
// against the fields, then its sub-agents one by one.
const levelSchema = Type.Object({ ...agentFields, agents: Type.Optional(Type.Unknown()) }, { additionalProperties: false });
const checkLevel = Compile(levelSchema as TSchema);

/** Problems of an agent definition from code, each naming its path; empty when valid. */
export function agentDefinitionProblems(agent: unknown, path = 'agent', depth = 0): string[] {
  if (depth > 8) return [`${path}: sub-agents nest deeper than 8 levels (is a definition its own sub-agent?)`];
  if (typeof agent !== 'object' || agent === null || Array.isArray(agent)) return [`${path}: expected an object with instructions`];
  const problems: string[] = [];
  if (!checkLevel.Check(agent)) problems.push(`${path}: ${describeErrors(checkLevel, agent)}`);
  const agents = (agent as { agents?: unknown }).agents;
  if (agents !== undefined) {
    if (typeof agents !== 'object' || agents === null || Array.isArray(agents)) problems.push(`${path}.agents: expected an object of sub-agents by name`);
    else {
      for (const [name, child] of Object.entries(agents)) {
        if (!AGENT_NAME_PATTERN.test(name)) problems.push(`${path}.agents: "${name}" is not a valid sub-agent name (lowercase letters, digits, "_" and "-")`);
        problems.push(...agentDefinitionProblems(child, `${path}.agents.${name}`, depth + 1));
      }
    }
  }
  return problems;
}
