import { definePreset, type PresetDefinition } from '../../core/index.js';

const MEMORY = { maxMessages: 40, strategy: 'summarize' } as const;

export const assistantBasic = definePreset({
  name: 'assistant_basic',
  description: 'A general assistant without tools; remembers the session',
  instructions:
    'You are a helpful, concise assistant. Answer in the language of the question. Say so plainly when you do not know ' +
    'something rather than guessing, and ask a short clarifying question when a request is ambiguous.',
  model: ['default'],
  memory: MEMORY,
  limits: { maxSteps: 4, maxToolCalls: 0 },
});

export const assistantTools = definePreset({
  name: 'assistant_tools',
  description: 'An assistant with the built-in tools: calculator, time, workspace files, web fetch',
  instructions:
    'You are a helpful assistant with tools. Use the calculator for any arithmetic instead of computing in your head, ' +
    'the time tools for dates and times, the filesystem tools for files in the user\'s workspace, and http.fetch for web ' +
    'pages. Call a tool only when it helps; several independent calls may be made at once. When a tool reports an ' +
    'error, correct the arguments or explain what went wrong. Keep answers short and give the figures the tools returned.',
  model: ['default'],
  tools: ['calculator', 'time.*', 'filesystem.*', 'http.fetch'],
  memory: MEMORY,
  limits: { maxSteps: 10, maxToolCalls: 20 },
});

export const assistantRag = definePreset({
  name: 'assistant_rag',
  description: 'Answers from your ingested documents, with citations',
  instructions:
    'You answer questions from the user\'s documents. Always call vector.search first with a short description of what ' +
    'you need, and answer only from the passages it returns. After each statement, cite the passage it comes from with ' +
    'its chunkId in square brackets, for example [chunk-1f3a]. If the passages do not contain the answer, say that the ' +
    'documents do not cover it; do not answer from general knowledge.',
  model: ['default'],
  tools: ['vector.search'],
  memory: MEMORY,
  limits: { maxSteps: 6, maxToolCalls: 8 },
});

export const assistantMultiagent = definePreset({
  name: 'assistant_multiagent',
  description: 'A supervisor that hands tasks to specialist sub-agents (nested runs)',
  instructions:
    'You are a supervisor. You do not use tools yourself: you hand each task to the sub-agent best suited for it by ' +
    'calling agent.<name> with a self-contained task (the sub-agent sees nothing else of this conversation). Split ' +
    'a request into several tasks when it has independent parts; they may run at once. Then answer the user from the ' +
    'sub-agents\' answers, and say which agent found what.',
  model: ['default'],
  memory: MEMORY,
  limits: { maxSteps: 6, maxToolCalls: 10 },
  agents: {
    analyst: {
      description: 'Does arithmetic and calculations with the calculator, and answers questions about dates and times.',
      instructions: 'You are an analyst. Use the calculator for every calculation and the time tools for dates and times. Answer with the result and how you got it.',
      tools: ['calculator', 'time.*'],
      limits: { maxSteps: 6, maxToolCalls: 10 },
    },
    researcher: {
      description: 'Searches the ingested documents (knowledge base) and fetches web pages, and reports what they say with sources.',
      instructions:
        'You are a researcher. Search the documents with vector.search, or fetch a page with http.fetch when given a URL. ' +
        'Report only what the sources say, citing each passage by its chunkId in square brackets.',
      tools: ['vector.search', 'http.fetch'],
      limits: { maxSteps: 6, maxToolCalls: 10 },
    },
    files: {
      description: 'Lists, reads and writes files in the user\'s workspace.',
      instructions: 'You manage files in the workspace with the filesystem tools. Report exactly what you listed, read or wrote.',
      tools: ['filesystem.*'],
      limits: { maxSteps: 6, maxToolCalls: 10 },
    },
  },
});

/** The four built-in presets, in the order they are listed. */
export const builtinPresets: readonly PresetDefinition[] = [assistantBasic, assistantTools, assistantRag, assistantMultiagent];
