"use client";

import { useState } from "react";
import { AuditEventRow } from "@/components/audit/audit-event-row";
import { exportHref, useAuditTrail, type AuditFilters, type AuditScope } from "@/components/audit/use-audit-trail";
import { messageOf } from "@/components/trpc-errors";
import { useDebounced } from "@/components/use-debounced";
import { Button, buttonClasses } from "@/components/ui/button";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { FieldError } from "@/components/ui/field-error";
import { ActivityIcon, DownloadIcon, SearchIcon } from "@/components/ui/icons";
import { Input, Select } from "@/components/ui/input";
import { LoadingRows } from "@/components/ui/skeleton";
import { ACTIVITY_CATEGORIES, VIA_LABELS, VIAS, type ActivityVia } from "@/server/services/activity-kinds";

const SEARCH_DELAY_MS = 300;

/**
 * The audit trail of an app (its Activity tab) or of a team (the team page): every change,
 * who made it, through which door, when — filterable, searchable, paged, exportable.
 */
export function AuditTrail({ scope }: { scope: AuditScope }) {
  const [kind, setKind] = useState("");
  const [via, setVia] = useState<ActivityVia | "">("");
  const [search, setSearch] = useState("");
  const q = useDebounced(search.trim(), SEARCH_DELAY_MS);
  const filters: AuditFilters = { kind: kind || undefined, via: via || undefined, q: q || undefined };
  const { events, isLoading, error, hasMore, isLoadingMore, loadMore } = useAuditTrail(scope, filters);
  const isFiltered = !!(kind || via || q);
  const idPrefix = "app" in scope ? "audit-app" : "audit-team";

  return (
    <Card aria-labelledby={`${idPrefix}-title`}>
      <CardHeader
        titleId={`${idPrefix}-title`}
        title="Audit trail"
        description={
          "app" in scope
            ? "Every change to this app: who made it, from where, and when. Config var values and passwords are never recorded."
            : "Every change to this team and its apps: who made it, from where, and when."
        }
        actions={
          <a href={exportHref(scope, filters)} download className={buttonClasses({ variant: "secondary", size: "sm" })}>
            <DownloadIcon />
            Export JSON lines
          </a>
        }
      />
      <div role="search" className="grid gap-2 border-b border-border px-4 py-3 sm:grid-cols-[12rem_10rem_minmax(0,1fr)] sm:px-5">
        <label className="sr-only" htmlFor={`${idPrefix}-kind`}>
          Kind of change
        </label>
        <Select id={`${idPrefix}-kind`} value={kind} onChange={(e) => setKind(e.target.value)}>
          <option value="">All changes</option>
          {ACTIVITY_CATEGORIES.map((c) => (
            <option key={c.key} value={c.key}>
              {c.label}
            </option>
          ))}
        </Select>
        <label className="sr-only" htmlFor={`${idPrefix}-via`}>
          Made through
        </label>
        <Select id={`${idPrefix}-via`} value={via} onChange={(e) => setVia(e.target.value as ActivityVia | "")}>
          <option value="">Any door</option>
          {VIAS.map((v) => (
            <option key={v} value={v}>
              {VIA_LABELS[v]}
            </option>
          ))}
        </Select>
        <div className="relative">
          <span className="pointer-events-none absolute inset-y-0 left-2.5 flex items-center text-muted">
            <SearchIcon />
          </span>
          <Input
            type="search"
            aria-label="Search the audit trail"
            placeholder={"app" in scope ? "Search messages and people" : "Search messages, people and apps"}
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            className="pl-8"
          />
        </div>
      </div>
      {error ? (
        <CardContent>
          <FieldError message={`Couldn't load the audit trail: ${messageOf(error)}`} />
        </CardContent>
      ) : isLoading ? (
        <LoadingRows label="Loading the audit trail" rows={4} />
      ) : events.length === 0 ? (
        <EmptyState
          icon={<ActivityIcon />}
          title={isFiltered ? "No events match these filters" : "Nothing recorded yet"}
          actions={
            isFiltered ? (
              <Button
                variant="secondary"
                onClick={() => {
                  setKind("");
                  setVia("");
                  setSearch("");
                }}
              >
                Clear filters
              </Button>
            ) : undefined
          }
        >
          {isFiltered ? "Try another kind of change, door or search." : "Changes to config vars, scaling, deploys, domains, add-ons and access show up here."}
        </EmptyState>
      ) : (
        <>
          <div aria-hidden="true" className="hidden grid-cols-[7.5rem_minmax(0,16rem)_6rem_minmax(0,1fr)] gap-x-4 border-b border-border bg-surface-muted/60 px-5 py-2 text-xs font-medium tracking-wide text-muted uppercase lg:grid">
            <span>When</span>
            <span>Who</span>
            <span>Via</span>
            <span>What</span>
          </div>
          <ol aria-label="Audit events" className="divide-y divide-border">
            {events.map((event) => (
              <AuditEventRow key={event.id} event={event} showApp={"team" in scope} />
            ))}
          </ol>
          {hasMore && (
            <div className="flex justify-center border-t border-border px-4 py-3">
              <Button variant="secondary" onClick={loadMore} isPending={isLoadingMore}>
                Load more
              </Button>
            </div>
          )}
        </>
      )}
    </Card>
  );
}
