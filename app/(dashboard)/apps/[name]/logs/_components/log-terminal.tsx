"use client";

import { memo, useEffect, type ReactNode } from "react";
import { logTag } from "@/server/logs/format";
import { cn } from "@/components/ui/cn";
import { useFollowTail } from "@/components/use-follow-tail";
import { displayTime, isErrorLine, tagTone, type LogEntry, type Matcher, type TagTone } from "./log-lines";

// On the terminal's zinc-950 in both themes; each at least 7:1 against it.
export const TAG_CLASSES: Record<TagTone, string> = {
  app: "text-sky-300",
  api: "text-amber-300",
  slipway: "text-violet-300",
  router: "text-emerald-300",
  notice: "text-red-300",
};

/**
 * The log as a terminal: `time tag: message` a line, wrapped lines indented under their
 * first. Follows the newest line while scrolled to the bottom; scrolling up stops that and
 * offers "Jump to latest". While paused it shows what was there and how many lines wait.
 */
export function LogTerminal({
  lines,
  matcher,
  pending,
  isPaused,
  onResume,
  empty,
}: {
  lines: readonly LogEntry[];
  matcher: Matcher | null;
  /** Lines received since pausing, not shown. */
  pending: number;
  isPaused: boolean;
  onResume: () => void;
  empty: ReactNode;
}) {
  const { ref, onScroll, isScrolledUp, jumpToLatest } = useFollowTail<HTMLDivElement>(lines);
  const today = new Date().toDateString();

  // Resuming is going live again: back to the newest line, wherever the reader had scrolled.
  useEffect(() => {
    if (!isPaused) jumpToLatest();
  }, [isPaused, jumpToLatest]);

  return (
    <div className="relative overflow-hidden rounded-md border border-zinc-800 bg-zinc-950">
      <div
        ref={ref}
        role="log"
        aria-label="Log lines"
        // Announcing every line would drown a screen reader; the status under the log speaks instead.
        aria-live="off"
        tabIndex={0}
        onScroll={onScroll}
        className="h-[28rem] overflow-auto p-3 font-mono text-[12.5px] leading-relaxed text-zinc-200 focus-visible:-outline-offset-2 sm:h-[60vh] sm:min-h-96 sm:p-4 sm:text-[13px]"
      >
        {lines.length === 0 ? (
          <div className="text-zinc-400">{empty}</div>
        ) : (
          lines.map((line) => <LogRow key={line.key} line={line} matcher={matcher} today={today} />)
        )}
      </div>
      {isPaused && pending > 0 ? (
        <FloatingButton onClick={onResume}>
          ↓ {pending.toLocaleString("en")} new {pending === 1 ? "line" : "lines"} · Resume
        </FloatingButton>
      ) : (
        isScrolledUp && <FloatingButton onClick={jumpToLatest}>↓ Jump to latest</FloatingButton>
      )}
    </div>
  );
}

function FloatingButton({ onClick, children }: { onClick: () => void; children: ReactNode }) {
  return (
    <button
      type="button"
      onClick={onClick}
      className="absolute right-3 bottom-3 rounded-full border border-zinc-600 bg-zinc-800 px-3 py-1 text-xs font-medium text-zinc-50 shadow-lg hover:bg-zinc-700 focus-visible:outline-2 focus-visible:outline-ring"
    >
      {children}
    </button>
  );
}

/** One line; memoised, so a new line renders one row, not five thousand. */
const LogRow = memo(function LogRow({ line, matcher, today }: { line: LogEntry; matcher: Matcher | null; today: string }) {
  const tone = tagTone(line);
  return (
    <div className="pl-[2ch] -indent-[2ch] break-words whitespace-pre-wrap">
      <time dateTime={line.at} title={line.at} className="text-zinc-400">
        {displayTime(line.at, today)}
      </time>{" "}
      <span className={TAG_CLASSES[tone]}>
        <Highlighted text={logTag(line)} matcher={matcher} />
      </span>
      <span className="text-zinc-400">:</span>{" "}
      <span className={cn(tone === "notice" || isErrorLine(line) ? "text-red-300" : undefined)}>
        <Highlighted text={line.message} matcher={matcher} />
      </span>
    </div>
  );
});

function Highlighted({ text, matcher }: { text: string; matcher: Matcher | null }) {
  if (!matcher) return text;
  return matcher.split(text).map((part, i) =>
    i % 2 === 1 ? (
      <mark key={i} className="rounded-[2px] bg-yellow-300 text-zinc-950">
        {part}
      </mark>
    ) : (
      part
    ),
  );
}
