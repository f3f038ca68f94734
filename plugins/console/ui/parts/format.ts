import { cutAtCodePoint } from '../../../../core/util/code-points.js';
import type { Usage } from '../api/types.js';

const integer = new Intl.NumberFormat('en-US');

/** 0.4 ms, 12 ms, 1.25 s, 2 min 5 s. */
export function duration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms === 0) return '0 ms';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function count(n: number): string {
  return integer.format(n);
}

/** $0.0123, or $0.000045 for small amounts (never rounded to zero). */
export function cost(usd: number): string {
  if (usd === 0) return '$0';
  const digits = usd >= 1 ? 2 : Math.min(8, Math.max(4, 2 - Math.floor(Math.log10(usd))));
  return `$${usd.toFixed(digits)}`;
}

/** "305 in · 13 out · $0.0004" (cost only when the server knows it). */
export function usage(u: Usage | undefined): string {
  if (!u) return '—';
  const parts = [`${count(u.inputTokens)} in`, `${count(u.outputTokens)} out`];
  if (u.costUsd !== undefined) parts.push(cost(u.costUsd));
  return parts.join(' · ');
}

/** "just now", "5 min ago", "3 h ago", then the date. */
export function ago(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return iso;
  const s = Math.round((now - t) / 1000);
  if (s < 10) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(t).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

export function dateTime(iso: string | undefined): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  return Number.isFinite(t) ? new Date(t).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' }) : iso;
}

/** +0 ms, +1.2 s: an event's offset from the run's first event. */
export function offset(ts: string, start: string | undefined): string {
  if (!start) return '';
  const d = Date.parse(ts) - Date.parse(start);
  return Number.isFinite(d) ? `+${duration(Math.max(0, d))}` : '';
}

/** run_18d7c7a5f9fa1e7355cb → run_18d7c7…: enough to tell ids apart, with the full id in a title. */
export function shortId(id: string): string {
  const cut = id.indexOf('_');
  return id.length > cut + 10 ? `${id.slice(0, cut + 9)}…` : id;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** A one-line preview of a value (arguments, results) for collapsed cards. */
export function preview(value: unknown, max = 90): string {
  let text: string;
  try {
    text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return truncate(text.replace(/\s+/g, ' '), max);
}

/** `text` in at most `max` characters, the last one … when it is cut; an emoji is kept whole or left out. */
export function truncate(text: string, max: number): string {
  return text.length > max ? `${cutAtCodePoint(text, max - 1)}…` : text;
}
