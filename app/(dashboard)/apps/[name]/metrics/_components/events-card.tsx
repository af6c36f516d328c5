"use client";

import { Card, CardHeader } from "@/components/ui/card";
import { MARKER_STYLE, formatTime, type Marker } from "./format";

/** The markers on the charts as a list: what happened and when, newest first. */
export function EventsCard({ markers, rangeText }: { markers: Marker[]; rangeText: string }) {
  const newestFirst = [...markers].reverse();
  return (
    <Card aria-labelledby="events-title">
      <CardHeader titleId="events-title" title="Events" description="Deploys, restarts and crashes, marked on the charts as dashed lines" />
      {newestFirst.length === 0 ? (
        <p className="px-4 py-4 text-sm text-muted sm:px-5">No deploys, restarts or crashes in {rangeText}.</p>
      ) : (
        <ol aria-label="Events" className="max-h-64 divide-y divide-border overflow-y-auto">
          {newestFirst.map((m, i) => (
            <li key={`${m.at}-${i}`} className="flex flex-wrap items-baseline gap-x-3 gap-y-0.5 px-4 py-2.5 text-sm sm:px-5">
              <span className="flex w-20 shrink-0 items-center gap-1.5 font-medium" style={{ color: MARKER_STYLE[m.kind].color }}>
                <span aria-hidden="true" className="inline-block h-3 w-0 border-l-2 border-dashed" style={{ borderColor: MARKER_STYLE[m.kind].color }} />
                {MARKER_STYLE[m.kind].name}
              </span>
              {/* Narrow screens: kind and time on one line, what happened below. */}
              <time dateTime={new Date(m.at).toISOString()} className="ml-auto text-muted tabular-nums sm:order-last">
                {formatTime(m.at)}
              </time>
              <span className="w-full min-w-0 truncate text-fg sm:w-auto sm:flex-1" title={m.label}>
                {m.label}
              </span>
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}
