import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import type { ApiClient } from './api/client.js';
import { ApiError } from './api/client.js';
import type { Preset, Problem } from './api/types.js';
import type { RunFeed, RunFeeds } from './model/run-feeds.js';

/** What every view reaches through context. */
export interface AppServices {
  readonly api: ApiClient;
  readonly feeds: RunFeeds;
  readonly presets: readonly Preset[];
  /** Bumped when the session list should be read again (a run started or ended). */
  readonly sessionsVersion: number;
  sessionsChanged(): void;
  /** Says something through the polite status live region (copied, run finished, reconnecting). */
  announce(message: string): void;
}

export const AppContext = createContext<AppServices>(null as unknown as AppServices);

export function useApp(): AppServices {
  return useContext(AppContext);
}

/** The location hash as a route: `#/sessions/ses_1` → ['sessions', 'ses_1']. */
export function useHashRoute(): string[] {
  const read = () =>
    location.hash
      .replace(/^#\/?/, '')
      .split('/')
      .filter(Boolean)
      .map((part) => {
        try {
          return decodeURIComponent(part);
        } catch {
          return part;
        }
      });
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = () => setRoute(read());
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function navigate(...parts: string[]): void {
  location.hash = `#/${parts.map(encodeURIComponent).join('/')}`;
}

export function href(...parts: string[]): string {
  return `#/${parts.map(encodeURIComponent).join('/')}`;
}

/** State kept in localStorage (the API key, the theme, the last preset); survives reloads. */
export function useStored(key: string, initial: string): [string, (value: string) => void] {
  const [value, setValue] = useState(() => readStored(key) ?? initial);
  const set = useCallback(
    (next: string) => {
      setValue(next);
      try {
        if (next === '') localStorage.removeItem(key);
        else localStorage.setItem(key, next);
      } catch {
        // storage disabled: the value lasts for this page
      }
    },
    [key],
  );
  return [value, set];
}

export function readStored(key: string): string | undefined {
  try {
    return localStorage.getItem(key) ?? undefined;
  } catch {
    return undefined;
  }
}

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly problem: Problem | undefined;
  readonly loading: boolean;
  reload(): void;
}

/** Loads something from the API; aborts when the inputs change or the view goes away. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; problem?: Problem; loading: boolean }>({ loading: true });
  const [round, setRound] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    load(controller.signal).then(
      (data) => !controller.signal.aborted && setState({ data, loading: false }),
      (error: unknown) => {
        if (controller.signal.aborted || (error as Error)?.name === 'AbortError') return;
        const problem = error instanceof ApiError ? error.problem : { title: 'Something went wrong', status: 0, detail: String((error as Error)?.message ?? error) };
        setState({ problem, loading: false });
      },
    );
    return () => controller.abort();
  }, [...deps, round]);
  return { data: state.data, problem: state.problem, loading: state.loading, reload: () => setRound((n) => n + 1) };
}

/** Re-renders on every change of a run's feed, and follows it while `active`. */
export function useFeed(feed: RunFeed | undefined, active = true): number {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!feed) return;
    const unsubscribe = feed.subscribe(() => setTick((n) => n + 1));
    if (active) feed.start();
    return () => {
      unsubscribe();
    };
  }, [feed, active]);
  return feed?.model.version ?? 0;
}

/** Whether an element has come into view (once true, stays true). */
export function useSeen<T extends Element>(): [{ current: T | null }, boolean] {
  const ref = useRef<T>(null);
  const [seen, setSeen] = useState(false);
  useEffect(() => {
    if (seen || !ref.current) return;
    if (typeof IntersectionObserver === 'undefined') {
      setSeen(true);
      return;
    }
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        setSeen(true);
        observer.disconnect();
      }
    }, { rootMargin: '400px' });
    observer.observe(ref.current);
    return () => observer.disconnect();
  }, [seen]);
  return [ref, seen];
}

/** Copies text to the clipboard (with a fallback for pages where the async API is refused). */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.append(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}
