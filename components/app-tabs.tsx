"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useRef } from "react";
import { cn } from "@/components/ui/cn";

type AppTab = { label: string; segment: string };

// Heroku's order is Overview, Resources, Deploy, Metrics, Activity, Logs, Access, Settings.
// A tab is listed here only once its feature works: add one line (and its route folder,
// app/(dashboard)/apps/[name]/<segment>/page.tsx) in that order.
export const APP_TABS: readonly AppTab[] = [
  { label: "Overview", segment: "" },
  { label: "Resources", segment: "resources" },
  { label: "Deploy", segment: "deploy" },
  { label: "Metrics", segment: "metrics" },
  { label: "Activity", segment: "activity" },
  { label: "Logs", segment: "logs" },
  { label: "Access", segment: "access" },
  { label: "Settings", segment: "settings" },
];

export function AppTabs({ appName }: { appName: string }) {
  const pathname = usePathname();
  const base = `/apps/${appName}`;
  const navRef = useRef<HTMLElement>(null);
  // On a phone the tab bar scrolls sideways: bring the current tab (Logs, Settings) into view.
  useEffect(() => {
    navRef.current?.querySelector('[aria-current="page"]')?.scrollIntoView({ block: "nearest", inline: "nearest" });
  }, [pathname]);
  return (
    <nav ref={navRef} aria-label="App sections" className="-mx-4 overflow-x-auto border-b border-border px-4 sm:mx-0 sm:px-0">
      <ul className="flex min-w-max gap-1">
        {APP_TABS.map((tab) => {
          const href = tab.segment ? `${base}/${tab.segment}` : base;
          const isActive = tab.segment ? pathname === href || pathname.startsWith(`${href}/`) : pathname === base;
          return (
            <li key={tab.label}>
              <Link
                href={href}
                aria-current={isActive ? "page" : undefined}
                className={cn(
                  "relative inline-flex h-11 items-center rounded-t-md px-3 text-sm font-medium transition-colors focus-visible:-outline-offset-2",
                  isActive
                    ? "text-fg after:absolute after:inset-x-2 after:-bottom-px after:h-0.5 after:rounded-full after:bg-primary"
                    : "text-muted hover:text-fg",
                )}
              >
                {tab.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
