/** What a text is embedded for: some models embed questions and passages differently. */
export type EmbeddingPurpose = 'document' | 'query';

export interface EmbedOptions {
  /** Default `document`. */
  readonly purpose?: EmbeddingPurpose;
  /** Aborts the call (a cancelled run, a client that went away). */
  readonly signal?: AbortSignal;
}

/**
 * The embedding sub-port: turns texts into vectors of a fixed dimension, for similarity search. Vectors come
 * back unit-length (L2-normalised), so cosine similarity is their dot product. The RAG plugin embeds chunks with
 * it when they are ingested and each query when it searches; both must use the same `model`.
 *
 * @example
 * ```ts
 * const [question] = await embedding.embed(['How long do refunds take?'], { purpose: 'query' });
 * console.log(embedding.model, embedding.dimensions, question.length);
 * ```
 */
export interface EmbeddingPort {
  /** Names the model and its settings (`local/hashed-ngrams-v1-384`, `openai/text-embedding-3-small`): vectors of two models never mix. */
  readonly model: string;
  /** Length of every vector. */
  readonly dimensions: number;
  /** One unit-length vector per text, in order. Rejects with an AgentSdkError when the model cannot answer. */
  embed(texts: readonly string[], options?: EmbedOptions): Promise<Float32Array[]>;
}
