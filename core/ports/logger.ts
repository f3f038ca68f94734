export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** Structured logging. Fields are merged into the log record; `child` adds fields to every record. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}
