"use client";
// The browser console's terminal (xterm.js), loaded only when a console is opened (next/dynamic
// in one-off-panel.tsx), so the Resources page's first load does not carry xterm. Output comes
// as Server-Sent Events; keystrokes go out as POSTs, one at a time so they arrive in order.
import "@xterm/xterm/css/xterm.css";
import { FitAddon } from "@xterm/addon-fit";
import { Terminal } from "@xterm/xterm";
import { useEffect, useRef } from "react";

export type ConsoleEnd = { exitCode: number | null; message: string };

export default function ConsoleTerminal({ appName, onEnd }: { appName: string; onEnd: (end: ConsoleEnd) => void }) {
  const hostRef = useRef<HTMLDivElement>(null);
  const onEndRef = useRef(onEnd);
  onEndRef.current = onEnd;

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const base = `/api/apps/${encodeURIComponent(appName)}/console`;
    const term = new Terminal({
      cursorBlink: true,
      fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
      fontSize: 13,
      theme: { background: "#09090b" },
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(host);
    fit.fit();
    term.focus();
    // Opened below the fold (the Resources tab is long), the terminal would be typed into
    // unseen, and xterm does not render while it is off screen.
    host.scrollIntoView({ block: "nearest" });

    let disposed = false;
    let ended = false;
    let id: string | null = null;
    let events: EventSource | null = null;
    const finish = (end: ConsoleEnd) => {
      if (ended) return;
      ended = true;
      events?.close();
      onEndRef.current(end);
    };

    // Keystrokes in order: one request in flight, the rest batched behind it.
    let pending = "";
    let sending = false;
    const flush = async () => {
      if (sending || !id || !pending || ended) return;
      sending = true;
      const data = pending;
      pending = "";
      try {
        await fetch(`${base}/${id}/input`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ data }) });
      } finally {
        sending = false;
        void flush();
      }
    };
    term.onData((data) => {
      pending += data;
      void flush();
    });

    let resizeTimer: ReturnType<typeof setTimeout> | undefined;
    term.onResize(({ cols, rows }) => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => {
        if (id && !ended) void fetch(`${base}/${id}/resize`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ cols, rows }) });
      }, 100);
    });
    const observer = new ResizeObserver(() => fit.fit());
    observer.observe(host);

    // Copy and paste: Ctrl/Cmd+C copies a selection (without one, Ctrl+C is an interrupt);
    // Ctrl/Cmd+V is left to the browser, whose paste event xterm turns into input.
    term.attachCustomKeyEventHandler((e) => {
      if (e.type !== "keydown" || !(e.ctrlKey || e.metaKey) || e.altKey) return true;
      const key = e.key.toLowerCase();
      if (key === "v") return false;
      if (key === "c" && term.hasSelection()) {
        void navigator.clipboard?.writeText(term.getSelection());
        term.clearSelection();
        e.preventDefault();
        return false;
      }
      return true;
    });

    term.write("\x1b[90mStarting a one-off dyno…\x1b[0m\r\n");
    void (async () => {
      const res = await fetch(base, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ command: "bash", cols: term.cols, rows: term.rows }),
      }).catch(() => null);
      const json = (await res?.json().catch(() => null)) as { id?: string; dyno?: string; error?: { message?: string } } | null;
      if (!res?.ok || !json?.id) return finish({ exitCode: null, message: json?.error?.message ?? "Could not start a console." });
      id = json.id;
      if (disposed) return void fetch(`${base}/${id}`, { method: "DELETE", keepalive: true });
      events = new EventSource(`${base}/${id}/stream`);
      events.addEventListener("ready", (e) => term.write(`\x1b[90mRunning on ${(JSON.parse((e as MessageEvent<string>).data) as { dyno: string }).dyno}\x1b[0m\r\n`));
      events.addEventListener("output", (e) => term.write(JSON.parse((e as MessageEvent<string>).data) as string));
      events.addEventListener("exit", (e) => {
        const end = JSON.parse((e as MessageEvent<string>).data) as { exitCode: number; reason: string };
        const why = end.reason === "idle" ? " (idle too long)" : end.reason === "access" ? " (your access to the app ended)" : "";
        term.write(`\r\n\x1b[90mProcess exited with status ${end.exitCode}${why}\x1b[0m\r\n`);
        finish({ exitCode: end.exitCode, message: `Process exited with status ${end.exitCode}${why}` });
      });
      events.addEventListener("failure", (e) => finish({ exitCode: null, message: (JSON.parse((e as MessageEvent<string>).data) as { message: string }).message }));
      // No reconnecting: a console is one dyno, gone once its stream closes.
      events.onerror = () => finish({ exitCode: null, message: "The console's connection closed." });
      void flush();
    })();

    return () => {
      disposed = true;
      ended = true;
      events?.close();
      observer.disconnect();
      clearTimeout(resizeTimer);
      if (id) void fetch(`${base}/${id}`, { method: "DELETE", keepalive: true }).catch(() => undefined);
      term.dispose();
    };
  }, [appName]);

  return <div ref={hostRef} role="group" aria-label="Console" className="h-80 w-full overflow-hidden bg-zinc-950 p-2" />;
}
