// Small shared hooks: load-on-mount with reload, re-render on a clock, and a
// gateway event subscription tied to a component's life.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { Gateway } from "./gateway";

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload: () => Promise<void>;
}

/** Calls `fn` on mount (and when `deps` change); `reload()` calls it again. Stale answers are dropped. */
export function useLoad<T>(fn: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const gen = useRef(0);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const reload = useCallback(async () => {
    const mine = ++gen.current;
    setLoading(true);
    try {
      const v = await fnRef.current();
      if (mine !== gen.current) return;
      setData(v);
      setError(undefined);
    } catch (err) {
      if (mine !== gen.current) return;
      setError((err as Error).message);
    } finally {
      if (mine === gen.current) setLoading(false);
    }
  }, []);
  useEffect(() => {
    void reload();
  }, deps);
  return { data, error, loading, reload };
}

/** Re-renders every `ms` (for countdowns and "2 min ago"). */
export function useClock(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

/** Subscribes to gateway events while mounted; the latest `fn` is always called. */
export function useEvents(gw: Gateway, events: string[], fn: (event: string, payload: any) => void): void {
  const fnRef = useRef(fn);
  fnRef.current = fn;
  useEffect(() => {
    const offs = events.map((e) => gw.on(e, (p) => fnRef.current(e, p)));
    return () => offs.forEach((off) => off());
  }, [gw, events.join(",")]);
}

/** A button action: runs `fn`, remembers the error message, blocks double clicks. */
export function useAction(): { busy: boolean; error: string | undefined; run: (fn: () => Promise<unknown>) => Promise<void>; clear: () => void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const run = useCallback(async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run, clear: () => setError(undefined) };
}
