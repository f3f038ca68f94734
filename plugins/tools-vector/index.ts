import { Type, type Static } from 'typebox';
import { cutAtCodePoint, defineTool, definePlugin, extensionPoints, isAgentSdkError, ports, ToolFailure, type VectorIndexPort } from '../../core/index.js';

const VectorConfig = Type.Object(
  {
    defaultTopK: Type.Integer({ minimum: 1, maximum: 50, default: 5, description: 'Hits returned when a call does not say topK' }),
    maxTopK: Type.Integer({ minimum: 1, maximum: 50, default: 20, description: 'Most hits a call may ask for' }),
    maxHitChars: Type.Integer({ minimum: 100, maximum: 100_000, default: 2_000, description: 'Each hit\'s text is cut to this many characters' }),
    timeoutMs: Type.Integer({ minimum: 100, maximum: 120_000, default: 10_000, description: 'Longest a search may take' }),
  },
  { additionalProperties: false },
);
type VectorConfig = Static<typeof VectorConfig>;

const COLLECTION = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';

/** Builds `vector.search` over an index that may be absent (then every call says how to configure one). */
export function vectorSearchTool(index: VectorIndexPort | undefined, config: VectorConfig) {
  const maxTopK = Math.max(config.maxTopK, config.defaultTopK);
  return defineTool({
    name: 'vector.search',
    version: '1.0.0',
    description:
      'Searches the ingested documents for passages relevant to a query and returns the best matches with their source, ' +
      'position and score. Use it before answering questions about the knowledge base, and cite the sources you use. ' +
      'Write the query as a short description of what you are looking for.',
    input: Type.Object(
      {
        query: Type.String({ minLength: 1, maxLength: 2_000, description: 'What to look for, in words' }),
        collection: Type.Optional(Type.String({ pattern: COLLECTION, description: 'Collection to search; default: the default collection' })),
        topK: Type.Optional(Type.Integer({ minimum: 1, maximum: maxTopK, description: `How many passages, 1-${maxTopK}; default ${config.defaultTopK}` })),
      },
      { additionalProperties: false },
    ),
    output: Type.Object(
      {
        hits: Type.Array(
          Type.Object(
            {
              chunkId: Type.String(),
              documentId: Type.String(),
              source: Type.String({ description: 'File or URL the passage comes from' }),
              title: Type.Optional(Type.String()),
              position: Type.Integer({ minimum: 0, description: 'Ordinal of the passage in its document' }),
              score: Type.Number({ description: 'Relevance, higher is better' }),
              text: Type.String(),
              truncated: Type.Optional(Type.Boolean({ description: 'True when the text was cut' })),
            },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false },
    ),
    timeoutMs: config.timeoutMs,
    capabilities: ['retrieval'],
    async execute({ query, collection, topK }, context) {
      if (!index) {
        throw new ToolFailure(
          'VECTOR_INDEX_UNAVAILABLE',
          'No vector index is configured, so there is nothing to search. Answer without it; an operator can enable the RAG plugin (it provides core.vector-index) and ingest documents.',
        );
      }
      if (query.trim() === '') throw new ToolFailure('VECTOR_EMPTY_QUERY', 'The query is blank; describe what you are looking for in words.');
      const k = topK ?? config.defaultTopK;
      let hits;
      try {
        hits = await index.search({ orgId: context.orgId }, { query, collection, topK: k, signal: context.signal });
      } catch (error) {
        if (context.signal.aborted) throw error;
        // An index reports user-facing problems (unknown collection) as AgentSdkErrors: pass them on as tool errors.
        if (isAgentSdkError(error)) throw new ToolFailure('VECTOR_SEARCH_FAILED', `${error.message}. ${error.hint}`.trim(), { cause: error });
        throw error;
      }
      return {
        hits: hits.slice(0, k).map((hit) => {
          const cut = hit.text.length > config.maxHitChars;
          return {
            chunkId: hit.chunkId,
            documentId: hit.documentId,
            source: hit.source,
            ...(hit.title !== undefined ? { title: hit.title } : {}),
            position: hit.position,
            score: hit.score,
            text: cut ? `${cutAtCodePoint(hit.text, config.maxHitChars)}…` : hit.text,
            ...(cut ? { truncated: true } : {}),
          };
        }),
      };
    },
  });
}

/**
 * The `vector.search` tool pack (`tools-vector`). It uses `ports.vectorIndex` when a plugin provides one (the RAG
 * plugin) and otherwise tells the model that no index is configured.
 *
 * @example
 * ```yaml
 * tools-vector:
 *   defaultTopK: 8
 * ```
 */
export const vectorPlugin = definePlugin({
  id: 'tools-vector',
  version: '1.0.0',
  description: 'The vector.search tool: retrieval over ingested documents through the vector-index port',
  config: VectorConfig,
  optional: { vectorIndex: ports.vectorIndex },
  init({ config, deps, contribute, logger }) {
    if (!deps.vectorIndex) logger.debug('no vector index is configured; vector.search will say so when called');
    contribute(extensionPoints.tools, vectorSearchTool(deps.vectorIndex, config));
  },
});

export default vectorPlugin;
