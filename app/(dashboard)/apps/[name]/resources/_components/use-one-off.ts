"use client";

import { useCallback, useEffect, useRef, useState } from "react";

export type OutputChunk = { stream: "stdout" | "stderr"; text: string };
export type OneOffRun = {
  status: "idle" | "starting" | "running" | "exited" | "failed" | "cancelled";
  command: string;
  dyno: string | null;
  output: OutputChunk[];
  exitCode: number | null;
  error: string | null;
};

type RunEvent =
  | { type: "start"; dyno: string }
  | { type: "output"; stream: OutputChunk["stream"]; text: string }
  | { type: "exit"; code: number }
  | { type: "error"; message: string };

const IDLE: OneOffRun = { status: "idle", command: "", dyno: null, output: [], exitCode: null, error: null };
// A chatty command must not grow the page without bound: keep the tail.
const MAX_CHUNKS = 2000;

function apply(run: OneOffRun, event: RunEvent): OneOffRun {
  switch (event.type) {
    case "start":
      return { ...run, status: "running", dyno: event.dyno };
    case "output": {
      const last = run.output.at(-1);
      const output =
        last && last.stream === event.stream && last.text.length < 4096
          ? [...run.output.slice(0, -1), { ...last, text: last.text + event.text }]
          : [...run.output, { stream: event.stream, text: event.text }].slice(-MAX_CHUNKS);
      return { ...run, output };
    }
    case "exit":
      return { ...run, status: "exited", exitCode: event.code };
    case "error":
      return { ...run, status: "failed", error: event.message };
  }
}

/**
 * Runs a command in a one-off dyno: POST /api/apps/<app>/run answers NDJSON events, read
 * as they arrive. Cancelling (or leaving the page) aborts the request, and the server
 * kills the dyno when its client goes away.
 */
export function useOneOff(appName: string) {
  const [run, setRun] = useState<OneOffRun>(IDLE);
  const controller = useRef<AbortController | null>(null);

  useEffect(() => () => controller.current?.abort(), []);

  const start = useCallback(
    async (command: string) => {
      controller.current?.abort();
      const ac = new AbortController();
      controller.current = ac;
      setRun({ ...IDLE, status: "starting", command });
      try {
        const res = await fetch(`/api/apps/${encodeURIComponent(appName)}/run`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ command }),
          signal: ac.signal,
        });
        if (!res.ok || !res.body) {
          const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
          setRun((r) => ({ ...r, status: "failed", error: body?.error?.message ?? `The run failed (HTTP ${res.status}).` }));
          return;
        }
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          const lines = buffer.split("\n");
          buffer = lines.pop() ?? "";
          const events = lines.filter((l) => l.trim()).map((l) => JSON.parse(l) as RunEvent);
          if (events.length) setRun((r) => events.reduce(apply, r));
        }
        setRun((r) =>
          r.status === "starting" || r.status === "running"
            ? { ...r, status: "failed", error: "The connection closed before the process exited." }
            : r,
        );
      } catch (err) {
        if (ac.signal.aborted) {
          setRun((r) => ({ ...r, status: "cancelled" }));
        } else {
          const message = err instanceof SyntaxError ? "Slipway sent an unreadable answer." : "Couldn't reach Slipway. Check your connection and try again.";
          setRun((r) => ({ ...r, status: "failed", error: message }));
        }
      } finally {
        if (controller.current === ac) controller.current = null;
      }
    },
    [appName],
  );

  const cancel = useCallback(() => controller.current?.abort(), []);
  const isRunning = run.status === "starting" || run.status === "running";
  return { run, start, cancel, isRunning };
}
