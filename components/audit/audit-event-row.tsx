"use client";

import Link from "next/link";
import { useEffect, useState } from "react";
import { formatRelative } from "@/components/format";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { VIA_LABELS, VIAS, type ActivityVia } from "@/server/services/activity-kinds";

export type AuditEvent = {
  id: string;
  at: Date;
  kind: string;
  message: string;
  via: string;
  ip: string | null;
  actor: string | null;
  app: string | null;
  team: string | null;
};

const VIA_TONES: Record<ActivityVia, BadgeTone> = { dashboard: "accent", cli: "neutral", git: "success", api: "warning", system: "neutral" };

export function ViaBadge({ via }: { via: string }) {
  const known = (VIAS as readonly string[]).includes(via) ? (via as ActivityVia) : null;
  return <Badge tone={known ? VIA_TONES[known] : "neutral"}>{known ? VIA_LABELS[known] : via}</Badge>;
}

/** "5 minutes ago", with the exact time, to the second, on hover. */
function When({ at }: { at: Date }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  const exact = at.toLocaleString("en", { dateStyle: "medium", timeStyle: "medium" });
  return (
    <time dateTime={at.toISOString()} title={exact} suppressHydrationWarning className="whitespace-nowrap">
      {formatRelative(at, now)}
    </time>
  );
}

/** One event: when, who (and from which address), through which door, what. */
export function AuditEventRow({ event, showApp }: { event: AuditEvent; showApp: boolean }) {
  const who = event.actor ?? "Slipway";
  return (
    <li
      aria-label={`${event.message} — ${who}`}
      className="grid grid-cols-[minmax(0,1fr)_auto] gap-x-3 gap-y-1 px-4 py-3 text-sm sm:px-5 lg:grid-cols-[7.5rem_minmax(0,16rem)_6rem_minmax(0,1fr)] lg:items-baseline lg:gap-x-4"
    >
      <div className="col-span-2 min-w-0 lg:order-4 lg:col-span-1">
        <p className="font-medium break-words text-fg">{event.message}</p>
        <p className="mt-0.5 flex flex-wrap gap-x-2 text-xs text-muted">
          <span className="font-mono">{event.kind}</span>
          {showApp && event.app && (
            <Link href={`/apps/${encodeURIComponent(event.app)}/activity`} className="font-medium text-link hover:underline">
              {event.app}
            </Link>
          )}
        </p>
      </div>
      <div className="min-w-0 text-muted lg:order-2 lg:text-fg">
        {/* One line in the table (the whole address on hover); wrapped when stacked. */}
        <span className="block break-words lg:truncate" title={who}>
          {who}
        </span>
        {event.ip && <span className="block text-xs text-muted">from {event.ip}</span>}
      </div>
      <div className="self-start lg:order-3 lg:self-baseline">
        <ViaBadge via={event.via} />
      </div>
      <div className="col-span-2 text-xs text-muted lg:order-1 lg:col-span-1 lg:text-sm">
        <When at={event.at} />
      </div>
    </li>
  );
}
