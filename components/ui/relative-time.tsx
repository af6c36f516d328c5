"use client";

import { useEffect, useState } from "react";
import { formatDateTime, formatRelative } from "@/components/format";

/** "3 minutes ago", kept fresh; the exact time is in the tooltip and the datetime attribute. */
export function RelativeTime({ date }: { date: Date | string }) {
  const d = typeof date === "string" ? new Date(date) : date;
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  return (
    <time dateTime={d.toISOString()} title={formatDateTime(d)} suppressHydrationWarning>
      {formatRelative(d, now)}
    </time>
  );
}
