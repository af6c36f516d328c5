"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import type { LogLine } from "@/server/logs/store";
import { appendCapped, type LogEntry } from "./log-lines";

export type LogFilters = { dyno: string; source: "" | "app" | "slipway" };
export type ConnectionState = "connecting" | "live" | "reconnecting" | "failed";

export type LogStream = {
  /** The newest lines received (at most MAX_LINES), oldest first. */
  lines: LogEntry[];
  /** Every line received since the stream (re)started with these filters, dropped ones included. */
  received: number;
  state: ConnectionState;
  /** Why the stream stopped, when state is "failed". */
  error: string | null;
  retry: () => void;
};

// The server keeps the last 1,500 lines per app (server/logs/store.ts); the page asks for all of them.
const RECENT_LINES = 1500;
// Lines are rendered in batches: a burst of output (or the backlog on connect) is one render, not hundreds.
const FLUSH_MS = 80;

function streamUrl(appName: string, f: LogFilters) {
  const q = new URLSearchParams({ tail: "1", lines: String(RECENT_LINES), format: "json" });
  if (f.dyno) q.set("dyno", f.dyno);
  if (f.source) q.set("source", f.source);
  return `/api/apps/${encodeURIComponent(appName)}/logs?${q}`;
}

/**
 * EventSource gives no reason when a stream is refused (signed out, app deleted); the same
 * request made with fetch does, in the route's JSON error. The body of a stream that opens
 * is not read: the request is aborted at once.
 */
async function whyClosed(url: string): Promise<string> {
  const ac = new AbortController();
  try {
    const res = await fetch(url, { signal: ac.signal, headers: { Accept: "text/event-stream" } });
    if (res.ok) return "The log stream closed.";
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    return body?.error?.message ?? `The log stream was refused (HTTP ${res.status}).`;
  } catch (err) {
    return `Couldn't reach Slipway (${(err as Error).message}).`;
  } finally {
    ac.abort();
  }
}

/**
 * An app's log over Server-Sent Events: the recent lines, then each new one. The browser's
 * EventSource reconnects by itself after a dropped connection, sending Last-Event-ID, and the
 * server resumes after that line, so nothing is lost or shown twice. New filters start a new
 * stream (the server filters).
 */
export function useLogStream(appName: string, filters: LogFilters): LogStream {
  const [view, setView] = useState<{ lines: LogEntry[]; received: number }>({ lines: [], received: 0 });
  const [state, setState] = useState<ConnectionState>("connecting");
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const nextKey = useRef(1);
  const { dyno, source } = filters;

  useEffect(() => {
    const url = streamUrl(appName, { dyno, source });
    const es = new EventSource(url);
    let lines: LogEntry[] = [];
    let received = 0;
    let incoming: LogEntry[] = [];
    // Ids the view has (a resume may repeat a line: the backlog is in time order, ids in
    // arrival order, see server/logs/stream.ts); the server never resends one older than its
    // buffer, so the last few thousand are enough.
    const seen = new Set<number>();
    let timer: ReturnType<typeof setTimeout> | null = null;
    let isClosed = false;

    setView({ lines, received });
    setState("connecting");
    setError(null);

    const flush = () => {
      timer = null;
      lines = appendCapped(lines, incoming);
      received += incoming.length;
      incoming = [];
      setView({ lines, received });
    };

    es.onopen = () => setState("live");
    es.onmessage = (event: MessageEvent<string>) => {
      const line = JSON.parse(event.data) as LogLine;
      // Notices (L10) carry no id; a line is shown once, even across a resume.
      if (event.lastEventId && line.id) {
        if (seen.has(line.id)) return;
        seen.add(line.id);
        if (seen.size > 2 * RECENT_LINES) seen.delete(seen.values().next().value!);
      }
      incoming.push({ ...line, key: nextKey.current++ });
      timer ??= setTimeout(flush, FLUSH_MS);
    };
    es.onerror = () => {
      if (es.readyState === EventSource.CONNECTING) return setState("reconnecting");
      // CLOSED: the server refused the stream; EventSource will not try again.
      setState("failed");
      void whyClosed(url).then((message) => {
        if (!isClosed) setError(message);
      });
    };

    return () => {
      isClosed = true;
      es.close();
      if (timer) clearTimeout(timer);
    };
  }, [appName, dyno, source, attempt]);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  return { lines: view.lines, received: view.received, state, error, retry };
}
