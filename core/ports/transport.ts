/** A way runs reach people and programs (HTTP + SSE, the WebSocket gateway, Slack, ...). Several may run at once. */
export interface Transport {
  readonly name: string;
  /** Where it can be reached once started, e.g. `http://127.0.0.1:8787`. */
  address(): string | undefined;
}
