"use client";

import { useQuery } from "@tanstack/react-query";
import { useDeferredValue, useEffect, useMemo, useState } from "react";
import { useTRPC } from "@/components/trpc-provider";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { FieldError } from "@/components/ui/field-error";
import { lineText, logFileName, makeMatcher, MAX_LINES, toLogFile, type LogEntry } from "./log-lines";
import { LogTerminal, TAG_CLASSES } from "./log-terminal";
import { LogToolbar } from "./log-toolbar";
import { useLogStream, type ConnectionState, type LogFilters } from "./use-log-stream";

const DYNO_NAME = /^([\w-]+)\.(\d+)$/;

function compareDynos(a: string, b: string) {
  const [, ta = a, na = "0"] = DYNO_NAME.exec(a) ?? [];
  const [, tb = b, nb = "0"] = DYNO_NAME.exec(b) ?? [];
  return ta === tb ? Number(na) - Number(nb) : ta.localeCompare(tb);
}

function describeFilters(f: LogFilters) {
  const from = f.dyno === "router" ? "the router" : f.dyno === "api" ? "the API" : f.dyno ? f.dyno : null;
  const source = f.source === "app" ? "app" : f.source === "slipway" ? "Slipway" : null;
  if (from && source) return `${source} lines from ${from}`;
  if (from) return `lines from ${from}`;
  return `${source} lines`;
}

function download(appName: string, lines: readonly LogEntry[]) {
  const url = URL.createObjectURL(new Blob([toLogFile(lines)], { type: "text/plain;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = logFileName(appName);
  a.click();
  // The click starts the download synchronously; the object URL is not needed after it.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/**
 * The app's log, live: the recent lines, then each new one. Pausing freezes what is shown
 * while lines keep arriving underneath; the search filters and highlights what is loaded.
 */
export function LogViewer({ appName }: { appName: string }) {
  const trpc = useTRPC();
  const [filters, setFilters] = useState<LogFilters>({ dyno: "", source: "" });
  const [paused, setPaused] = useState<{ lines: LogEntry[]; received: number } | null>(null);
  const [search, setSearch] = useState("");
  const deferredSearch = useDeferredValue(search);
  const stream = useLogStream(appName, filters);
  const formation = useQuery(trpc.formation.list.queryOptions({ app: appName }));

  // Dynos stay in the menu once seen, also while the log is filtered to another one.
  const [seenDynos, setSeenDynos] = useState<string[]>([]);
  useEffect(() => {
    setSeenDynos((seen) => {
      const names = new Set(seen);
      for (const l of stream.lines) if (l.dyno && DYNO_NAME.test(l.dyno)) names.add(l.dyno);
      return names.size === seen.length ? seen : [...names].sort(compareDynos);
    });
  }, [stream.lines]);
  const processTypes = useMemo(() => {
    const types = new Set((formation.data ?? []).map((f) => f.type));
    for (const name of seenDynos) types.add(DYNO_NAME.exec(name)![1]!);
    return [...types].filter((t) => t !== "release").sort();
  }, [formation.data, seenDynos]);

  const loaded = paused ? paused.lines : stream.lines;
  const matcher = useMemo(() => makeMatcher(deferredSearch), [deferredSearch]);
  const shown = useMemo(() => (matcher ? loaded.filter((l) => matcher.test(lineText(l))) : loaded), [loaded, matcher]);
  const pending = paused ? stream.received - paused.received : 0;
  const isFiltered = Boolean(filters.dyno || filters.source);

  function onFiltersChange(next: LogFilters) {
    // New filters are a new stream: going live with it beats a frozen view of the old one.
    setPaused(null);
    setFilters(next);
  }

  function onPausedChange(isPaused: boolean) {
    setPaused(isPaused ? { lines: stream.lines, received: stream.received } : null);
  }

  const empty =
    stream.state === "failed" ? (
      "Not connected to the log stream."
    ) : loaded.length > 0 && matcher ? (
      <>No loaded line matches “{matcher.query}”.</>
    ) : stream.state !== "live" ? (
      "Connecting to the log stream…"
    ) : isFiltered ? (
      <>No {describeFilters(filters)} yet. They appear here as they happen.</>
    ) : (
      <EmptyLog />
    );

  return (
    <Card aria-labelledby="logs-title">
      <CardHeader
        titleId="logs-title"
        title="Application logs"
        description="The app's last 1,500 lines, then new ones as they happen."
        actions={<ConnectionIndicator state={stream.state} isPaused={Boolean(paused)} pending={pending} />}
      />
      <CardContent className="space-y-3">
        <LogToolbar
          isPaused={Boolean(paused)}
          onPausedChange={onPausedChange}
          filters={filters}
          onFiltersChange={onFiltersChange}
          processTypes={processTypes}
          dynos={seenDynos}
          search={search}
          onSearchChange={setSearch}
          downloadCount={shown.length}
          onDownload={() => download(appName, shown)}
        />
        {stream.state === "failed" && (
          <div className="flex flex-wrap items-center justify-between gap-2 rounded-md border border-danger/40 bg-danger-soft px-3 py-2">
            <FieldError message={stream.error ?? "The log stream closed."} />
            <Button size="sm" variant="secondary" onClick={stream.retry}>
              Reconnect
            </Button>
          </div>
        )}
        <LogTerminal lines={shown} matcher={matcher} pending={pending} isPaused={Boolean(paused)} onResume={() => setPaused(null)} empty={empty} />
        <div className="flex flex-wrap items-center justify-between gap-x-4 gap-y-2 text-sm text-muted">
          <p>
            {matcher
              ? `${shown.length.toLocaleString("en")} of ${loaded.length.toLocaleString("en")} lines match`
              : `${loaded.length.toLocaleString("en")} ${loaded.length === 1 ? "line" : "lines"}`}
            {stream.received > MAX_LINES && ` · the newest ${MAX_LINES.toLocaleString("en")} are kept`}
          </p>
          <Legend />
        </div>
      </CardContent>
    </Card>
  );
}

function EmptyLog() {
  return (
    <div className="max-w-2xl space-y-2 font-sans text-sm">
      <p className="font-medium text-zinc-200">No log lines yet.</p>
      <p>Lines appear here as they happen:</p>
      <ul className="list-disc space-y-1 pl-5">
        <li>
          what the app&apos;s dynos print, as <code className={cn("font-mono", TAG_CLASSES.app)}>app[web.1]</code>
        </li>
        <li>
          dynos starting, crashing and stopping, as <code className={cn("font-mono", TAG_CLASSES.slipway)}>slipway[web.1]</code>
        </li>
        <li>
          every HTTP request, as <code className={cn("font-mono", TAG_CLASSES.router)}>slipway[router]</code>
        </li>
        <li>
          releases, config changes and scaling, as <code className={cn("font-mono", TAG_CLASSES.api)}>app[api]</code>
        </li>
      </ul>
      <p>Deploy the app or scale a process to see the first ones.</p>
    </div>
  );
}

const LEGEND: Array<{ label: string; tone: keyof typeof TAG_CLASSES }> = [
  { label: "app", tone: "app" },
  { label: "api", tone: "api" },
  { label: "slipway", tone: "slipway" },
  { label: "router", tone: "router" },
];

function Legend() {
  return (
    <ul aria-label="Tag colours" className="flex flex-wrap items-center gap-1.5">
      {LEGEND.map((item) => (
        <li key={item.tone} className={cn("rounded bg-zinc-950 px-1.5 py-0.5 font-mono text-xs", TAG_CLASSES[item.tone])}>
          {item.label}
        </li>
      ))}
    </ul>
  );
}

const STATES: Record<ConnectionState, { label: string; dot: string; title: string }> = {
  connecting: { label: "Connecting…", dot: "animate-pulse bg-warning", title: "Opening the log stream" },
  live: { label: "Live", dot: "bg-success", title: "New lines appear as they happen" },
  reconnecting: { label: "Reconnecting…", dot: "animate-pulse bg-warning", title: "The connection dropped; resuming after the last line received" },
  failed: { label: "Disconnected", dot: "bg-danger", title: "The log stream closed" },
};

function ConnectionIndicator({ state, isPaused, pending }: { state: ConnectionState; isPaused: boolean; pending: number }) {
  const s = isPaused && state === "live" ? { label: "Paused", dot: "bg-muted", title: `Still receiving: ${pending} new lines wait` } : STATES[state];
  return (
    <span role="status" className="inline-flex items-center gap-1.5 text-sm font-medium text-muted" title={s.title}>
      <span aria-hidden="true" className={cn("size-2 rounded-full", s.dot)} />
      {s.label}
    </span>
  );
}
