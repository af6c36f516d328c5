"use client";

import { useEffect, useRef, useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { FieldError } from "@/components/ui/field-error";
import dynamic from "next/dynamic";
import { PlayIcon, StopIcon, TerminalIcon } from "@/components/ui/icons";
import { CodeInput } from "@/components/ui/input";
import { DynoRow } from "./dyno-row";
import type { Dyno } from "./types";
import { useOneOff } from "./use-one-off";
import { useAppPermissions } from "@/components/use-app-permissions";
import type { ConsoleEnd } from "./console-terminal";

// xterm.js loads only when a console is opened, in the browser.
const ConsoleTerminal = dynamic(() => import("./console-terminal"), {
  ssr: false,
  loading: () => <div className="h-80 w-full bg-zinc-950 p-3 font-mono text-[13px] text-zinc-400">Loading the terminal…</div>,
});

/** `heroku run` in the browser: a command in a fresh dyno of the current release, output live. */
export function OneOffPanel({ appName, oneOffDynos }: { appName: string; oneOffDynos: Dyno[] }) {
  const [command, setCommand] = useState("");
  const runReason = useAppPermissions(appName).denied("dynos:run");
  const { run, start, cancel, isRunning } = useOneOff(appName);
  const logRef = useRef<HTMLPreElement>(null);

  useEffect(() => {
    const el = logRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [run.output, run.status]);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (command.trim() && !isRunning) void start(command.trim());
  }

  return (
    <Card aria-labelledby="one-off-title">
      <CardHeader
        titleId="one-off-title"
        title="Run a one-off dyno"
        description="Runs a command in a new dyno with this app's current code and config, like heroku run. Leaving the page stops it."
      />
      <CardContent className="space-y-3">
        {runReason && <p className="text-sm text-muted">{runReason}</p>}
        <form onSubmit={onSubmit} className="flex flex-col gap-2 sm:flex-row" noValidate>
          <CodeInput
            aria-label="Command"
            placeholder="e.g. node scripts/migrate.js"
            value={command}
            onChange={(e) => setCommand(e.target.value)}
            disabled={isRunning || !!runReason}
          />
          {isRunning ? (
            <Button variant="danger-outline" onClick={cancel}>
              <StopIcon /> Stop
            </Button>
          ) : (
            <Button type="submit" disabled={!command.trim() || !!runReason} title={runReason ?? undefined}>
              <PlayIcon /> Run
            </Button>
          )}
        </form>
        {run.status !== "idle" && (
          <div className="overflow-hidden rounded-md border border-zinc-800 bg-zinc-950">
            <pre
              ref={logRef}
              role="log"
              aria-label="One-off dyno output"
              className="max-h-80 min-h-24 overflow-auto p-3 font-mono text-[13px] leading-relaxed break-all whitespace-pre-wrap text-zinc-100"
            >
              <span className="text-zinc-400">$ {run.command}</span>
              {"\n"}
              {run.status === "starting" && <span className="text-zinc-400">Starting a one-off dyno…{"\n"}</span>}
              {run.dyno && <span className="text-zinc-400">Running on {run.dyno}{"\n"}</span>}
              {run.output.map((chunk, i) => (
                <span key={i} className={chunk.stream === "stderr" ? "text-red-300" : undefined}>
                  {chunk.text}
                </span>
              ))}
            </pre>
            <RunStatus status={run.status} exitCode={run.exitCode} />
          </div>
        )}
        <FieldError message={run.error} />
        <ConsoleSection appName={appName} reason={runReason} />
        {oneOffDynos.length > 0 && (
          <div className="overflow-hidden rounded-md border border-border">
            <p className="border-b border-border bg-surface-muted px-4 py-2 text-xs font-medium text-muted sm:px-5">One-off dynos running</p>
            <ul aria-label="One-off dynos" className="divide-y divide-border">
              {oneOffDynos.map((d) => (
                <DynoRow key={d.id} appName={appName} dyno={d} showCommand />
              ))}
            </ul>
          </div>
        )}
      </CardContent>
    </Card>
  );
}

function RunStatus({ status, exitCode }: { status: string; exitCode: number | null }) {
  if (status === "exited" && exitCode !== null) {
    return (
      <p role="status" className={cn("border-t border-zinc-800 px-3 py-2 font-mono text-[13px] font-medium", exitCode === 0 ? "text-green-400" : "text-red-400")}>
        Process exited with status {exitCode}
      </p>
    );
  }
  if (status === "cancelled") return <p role="status" className="border-t border-zinc-800 px-3 py-2 font-mono text-[13px] text-zinc-400">Stopped.</p>;
  return null;
}

/** A terminal in the browser: `heroku run bash` in a new one-off dyno, ended when closed or when the tab goes. */
function ConsoleSection({ appName, reason }: { appName: string; reason: string | null }) {
  const [session, setSession] = useState(0);
  const [open, setOpen] = useState(false);
  const [end, setEnd] = useState<ConsoleEnd | null>(null);
  return (
    <section aria-labelledby="console-title" className="space-y-2 border-t border-border pt-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div>
          <h3 id="console-title" className="text-sm font-medium">
            Console
          </h3>
          <p className="text-xs text-muted">A shell (bash) in a new one-off dyno. Closing it or leaving the page stops the dyno.</p>
        </div>
        {open && !end ? (
          <Button variant="danger-outline" onClick={() => setOpen(false)}>
            <StopIcon /> Close console
          </Button>
        ) : (
          <Button
            variant="secondary"
            disabled={!!reason}
            title={reason ?? undefined}
            onClick={() => {
              setEnd(null);
              setSession((n) => n + 1);
              setOpen(true);
            }}
          >
            <TerminalIcon /> Open console
          </Button>
        )}
      </div>
      {open && (
        <div className="overflow-hidden rounded-md border border-zinc-800">
          <ConsoleTerminal key={session} appName={appName} onEnd={setEnd} />
          {end && (
            <p role="status" className={cn("border-t border-zinc-800 bg-zinc-950 px-3 py-2 font-mono text-[13px]", end.exitCode === 0 ? "text-green-400" : "text-red-400")}>
              {end.message}
            </p>
          )}
        </div>
      )}
    </section>
  );
}
