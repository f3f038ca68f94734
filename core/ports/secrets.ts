/** Where secrets come from at run time (API keys of model providers, ...). The default reads the environment. */
export interface Secrets {
  get(name: string): string | undefined;
}
