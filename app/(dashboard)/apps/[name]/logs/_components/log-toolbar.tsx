"use client";

import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { DownloadIcon, PauseIcon, PlayIcon, SearchIcon, XIcon } from "@/components/ui/icons";
import { Input, Select } from "@/components/ui/input";
import type { LogFilters } from "./use-log-stream";

const SOURCES: Array<{ value: LogFilters["source"]; label: string }> = [
  { value: "", label: "All" },
  { value: "app", label: "App" },
  { value: "slipway", label: "Slipway" },
];

const controlLabel = "mb-1 block text-xs font-medium text-muted";

/**
 * Pause/resume, the process and source filters (the server filters: a change reconnects),
 * the search over loaded lines, and the download. Wraps onto more rows on narrow screens.
 */
export function LogToolbar({
  isPaused,
  onPausedChange,
  filters,
  onFiltersChange,
  processTypes,
  dynos,
  search,
  onSearchChange,
  downloadCount,
  onDownload,
}: {
  isPaused: boolean;
  onPausedChange: (isPaused: boolean) => void;
  filters: LogFilters;
  onFiltersChange: (filters: LogFilters) => void;
  processTypes: string[];
  dynos: string[];
  search: string;
  onSearchChange: (search: string) => void;
  downloadCount: number;
  onDownload: () => void;
}) {
  return (
    <div className="flex flex-wrap items-end gap-x-3 gap-y-3">
      <Button variant={isPaused ? "primary" : "secondary"} onClick={() => onPausedChange(!isPaused)} className="w-28">
        {isPaused ? <PlayIcon /> : <PauseIcon />}
        {isPaused ? "Resume" : "Pause"}
      </Button>

      <div className="w-48">
        <label htmlFor="log-process" className={controlLabel}>
          Process
        </label>
        <Select id="log-process" value={filters.dyno} onChange={(e) => onFiltersChange({ ...filters, dyno: e.target.value })}>
          <option value="">All processes</option>
          {processTypes.length > 0 && (
            <optgroup label="Process types">
              {processTypes.map((type) => (
                <option key={type} value={type}>
                  {type} (all {type} dynos)
                </option>
              ))}
            </optgroup>
          )}
          {dynos.length > 0 && (
            <optgroup label="Dynos">
              {dynos.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </optgroup>
          )}
          <optgroup label="Platform">
            <option value="router">router (HTTP requests)</option>
            <option value="api">api (releases, config, scaling)</option>
          </optgroup>
        </Select>
      </div>

      <fieldset>
        <legend className={controlLabel}>Source</legend>
        <div className="flex h-9 rounded-md border border-border-strong bg-surface p-0.5 shadow-xs">
          {SOURCES.map((s) => (
            <label
              key={s.value || "all"}
              className={cn(
                "relative flex cursor-pointer items-center rounded-[5px] px-3 text-sm font-medium text-muted transition-colors hover:text-fg",
                "has-checked:bg-accent-soft has-checked:text-link",
                "has-focus-visible:outline-2 has-focus-visible:outline-offset-1 has-focus-visible:outline-ring",
              )}
            >
              <input
                type="radio"
                name="log-source"
                value={s.value}
                checked={filters.source === s.value}
                onChange={() => onFiltersChange({ ...filters, source: s.value })}
                // Over the whole segment, invisible: the radio itself takes the click and the focus.
                className="absolute inset-0 cursor-pointer appearance-none rounded-[5px] opacity-0"
              />
              {s.label}
            </label>
          ))}
        </div>
      </fieldset>

      {/* Last on a phone (a row of its own under the buttons), between the filters and Download when there is room. */}
      <div className="order-last min-w-[12rem] flex-1 basis-full sm:order-none sm:basis-0">
        <label htmlFor="log-search" className={controlLabel}>
          Search loaded lines
        </label>
        <div className="relative">
          <SearchIcon className="pointer-events-none absolute top-1/2 left-2.5 -translate-y-1/2 text-muted" />
          <Input
            id="log-search"
            type="search"
            value={search}
            onChange={(e) => onSearchChange(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Escape" && search) {
                e.preventDefault();
                onSearchChange("");
              }
            }}
            placeholder="Text in a line, e.g. status=500"
            spellCheck={false}
            autoComplete="off"
            className="pr-8 pl-8 [&::-webkit-search-cancel-button]:hidden"
          />
          {search && (
            <button
              type="button"
              aria-label="Clear search"
              onClick={() => onSearchChange("")}
              className="absolute top-1/2 right-1.5 -translate-y-1/2 rounded p-1 text-muted hover:bg-surface-muted hover:text-fg focus-visible:outline-2 focus-visible:outline-ring"
            >
              <XIcon className="size-3.5" />
            </button>
          )}
        </div>
      </div>

      <Button
        variant="secondary"
        onClick={onDownload}
        disabled={downloadCount === 0}
        title={`Save the ${downloadCount.toLocaleString("en")} lines shown as a .log file`}
      >
        <DownloadIcon />
        Download
      </Button>
    </div>
  );
}
