"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { cn } from "@/components/ui/cn";
import { inputClasses } from "@/components/ui/input";
import { SearchIcon } from "@/components/ui/icons";

/** Pages whose app list the search box filters in place. */
function isListPage(pathname: string) {
  return pathname === "/apps" || (/^\/teams\/[^/]+$/.test(pathname) && pathname !== "/teams/new");
}

/**
 * Filters the app list through `?q=` (shareable, survives reload). On a list page it filters
 * as you type; elsewhere Enter jumps to your apps filtered by the text. "/" focuses it.
 */
export function AppSearch() {
  const pathname = usePathname();
  const router = useRouter();
  const searchParams = useSearchParams();
  const urlQuery = searchParams.get("q") ?? "";
  const [value, setValue] = useState(urlQuery);
  const inputRef = useRef<HTMLInputElement>(null);
  const onListPage = isListPage(pathname);

  // Follow the URL when it changes from outside (navigation, "clear search" links).
  useEffect(() => setValue(urlQuery), [urlQuery, pathname]);

  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      const target = event.target as HTMLElement | null;
      const isTyping = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
      if (event.key === "/" && !isTyping && !event.metaKey && !event.ctrlKey) {
        event.preventDefault();
        inputRef.current?.focus();
      }
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  function update(next: string) {
    setValue(next);
    if (!onListPage) return;
    const params = new URLSearchParams(searchParams.toString());
    if (next) params.set("q", next);
    else params.delete("q");
    const qs = params.toString();
    // replaceState keeps Next's router in sync without a server round trip per keystroke.
    window.history.replaceState(null, "", qs ? `${pathname}?${qs}` : pathname);
  }

  return (
    <form
      role="search"
      onSubmit={(event) => {
        event.preventDefault();
        if (!onListPage) router.push(value ? `/apps?q=${encodeURIComponent(value)}` : "/apps");
      }}
      className="relative"
    >
      <label htmlFor="app-search" className="sr-only">
        Search apps
      </label>
      <SearchIcon className="pointer-events-none absolute top-1/2 left-3 -translate-y-1/2 text-muted" />
      <input
        ref={inputRef}
        id="app-search"
        type="search"
        value={value}
        onChange={(event) => update(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === "Escape" && value) {
            event.preventDefault();
            update("");
          }
        }}
        placeholder="Search apps"
        autoComplete="off"
        spellCheck={false}
        className={cn(inputClasses, "bg-surface-muted pr-9 pl-9 read-only:bg-surface-muted")}
      />
      <kbd
        aria-hidden="true"
        className="pointer-events-none absolute top-1/2 right-2.5 hidden -translate-y-1/2 rounded border border-border px-1.5 font-mono text-[11px] text-muted sm:block"
      >
        /
      </kbd>
    </form>
  );
}
