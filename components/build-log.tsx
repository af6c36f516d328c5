"use client";

import { useMemo } from "react";
import { cn } from "@/components/ui/cn";
import { useFollowTail } from "@/components/use-follow-tail";

// Output can run to tens of thousands of lines (npm installs); the page keeps the tail.
const MAX_LINES = 5000;
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

type Line = { text: string; kind: "step" | "warning" | "plain" };

/**
 * Heroku's build output conventions: "-----> " starts a step, " !     " a warning or
 * error, the rest is indented detail. Colour codes are dropped, and a carriage return
 * (progress bars) keeps only what was written last on the line.
 */
function toLines(text: string): { lines: Line[]; hidden: number } {
  const raw = text.replace(ANSI, "").split("\n");
  if (raw.at(-1) === "") raw.pop();
  const hidden = Math.max(0, raw.length - MAX_LINES);
  const lines = raw.slice(hidden).map((l): Line => {
    const cleaned = l.replace(/\r+$/, "");
    const shown = cleaned.slice(cleaned.lastIndexOf("\r") + 1);
    const kind = /^\s*-{3,}>/.test(shown) ? "step" : /^\s*!/.test(shown) ? "warning" : "plain";
    return { text: shown, kind };
  });
  return { lines, hidden };
}

/**
 * A terminal-style panel that follows new output while scrolled to the bottom, and stays
 * put once the reader scrolls up (with a button back to the latest line).
 */
export function BuildLog({
  text,
  label = "Build output",
  placeholder,
  size = "md",
}: {
  text: string;
  label?: string;
  placeholder?: string;
  size?: "md" | "lg";
}) {
  const { lines, hidden } = useMemo(() => toLines(text), [text]);
  const { ref, onScroll, isScrolledUp, jumpToLatest } = useFollowTail<HTMLPreElement>(text);

  return (
    <div className="relative overflow-hidden rounded-md border border-zinc-800 bg-zinc-950">
      <pre
        ref={ref}
        role="log"
        aria-label={label}
        // Announcing every line would drown a screen reader; the status line below speaks for the build.
        aria-live="off"
        tabIndex={0}
        onScroll={onScroll}
        className={cn(
          "overflow-auto p-3 font-mono text-[12.5px] leading-relaxed break-words whitespace-pre-wrap text-zinc-300 focus-visible:-outline-offset-2 sm:p-4 sm:text-[13px]",
          size === "lg" ? "max-h-[70vh] min-h-72" : "max-h-96 min-h-48",
        )}
      >
        {hidden > 0 && <span className="text-zinc-500">… {hidden.toLocaleString("en")} earlier lines not shown{"\n"}</span>}
        {lines.length === 0 && placeholder && <span className="text-zinc-500">{placeholder}</span>}
        {lines.map((line, i) => (
          <span
            key={hidden + i}
            className={line.kind === "step" ? "font-semibold text-zinc-50" : line.kind === "warning" ? "text-red-400" : undefined}
          >
            <LineText text={line.text} />
            {"\n"}
          </span>
        ))}
      </pre>
      {isScrolledUp && (
        <button
          type="button"
          onClick={jumpToLatest}
          className="absolute right-3 bottom-3 rounded-full border border-zinc-700 bg-zinc-800 px-3 py-1 text-xs font-medium text-zinc-100 shadow-lg hover:bg-zinc-700 focus-visible:outline-2 focus-visible:outline-ring"
        >
          ↓ Jump to latest
        </button>
      )}
    </div>
  );
}

const URL_PATTERN = /(https?:\/\/[^\s"'<>]+)/;

/** A line with its URLs clickable: the build ends by naming the app's address. */
function LineText({ text }: { text: string }) {
  if (!text.includes("://")) return text;
  return text.split(URL_PATTERN).map((part, i) =>
    i % 2 === 1 ? (
      <a key={i} href={part} target="_blank" rel="noreferrer" className="text-sky-300 underline underline-offset-2 hover:text-sky-200">
        {part}
      </a>
    ) : (
      part
    ),
  );
}
