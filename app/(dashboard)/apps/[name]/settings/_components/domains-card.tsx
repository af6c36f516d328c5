"use client";

import { useQuery } from "@tanstack/react-query";
import { deniedReason } from "@/components/app-permissions";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { buttonClasses } from "@/components/ui/button";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { FieldError } from "@/components/ui/field-error";
import { ExternalLinkIcon } from "@/components/ui/icons";
import { LoadingRows } from "@/components/ui/skeleton";
import { AddDomainForm } from "./add-domain-form";
import { DomainRow } from "./domain-row";
import type { AppDetails } from "./types";

/**
 * Heroku's Domains section: the app's own <app>.<base domain> hostname, then custom
 * domains, each pointed by a CNAME at that hostname (our DNS target for every domain).
 */
export function DomainsCard({ app }: { app: AppDetails }) {
  const trpc = useTRPC();
  const domains = useQuery(trpc.domains.list.queryOptions({ app: app.name }));
  // The list's first row is the default hostname; the app's URL names it too, so the
  // top of the card need not wait for the list.
  const defaultHostname = domains.data?.find((d) => d.kind === "heroku")?.hostname ?? new URL(app.webUrl).hostname;
  const reason = deniedReason(app.permissions, "domains:write");
  const custom = domains.data?.filter((d) => d.kind === "custom") ?? [];

  return (
    <Card id="domains" aria-labelledby="domains-title" className="scroll-mt-24">
      <CardHeader
        titleId="domains-title"
        title="Domains"
        description="Your app answers on its default hostname and on any custom domain you add and point at it."
      />
      <CardContent className="flex flex-wrap items-center justify-between gap-3 border-b border-border">
        <div className="min-w-0">
          <p className="text-sm font-medium text-muted">Your app can be found at</p>
          <a href={app.webUrl} target="_blank" rel="noreferrer" className="font-mono text-sm break-all text-link hover:underline">
            {app.webUrl}
          </a>
        </div>
        <a href={app.webUrl} target="_blank" rel="noreferrer" className={buttonClasses({ variant: "secondary", size: "sm" })}>
          <ExternalLinkIcon />
          Open app
        </a>
      </CardContent>

      {domains.isPending ? (
        <LoadingRows label="Loading domains" rows={2} />
      ) : domains.isError ? (
        <CardContent>
          <FieldError message={`Couldn't load domains: ${messageOf(domains.error)}`} />
        </CardContent>
      ) : custom.length === 0 ? (
        <CardContent className="space-y-2 text-sm text-muted">
          <p className="font-medium text-fg">No custom domains yet</p>
          <p>
            Add <code className="font-mono text-fg">www.example.com</code>, then at your DNS provider point a CNAME record for it at{" "}
            <code className="font-mono break-all text-fg">{defaultHostname}</code>. Requests for that name then reach this app.
          </p>
          <p>For a bare domain (example.com), use your provider&apos;s ALIAS or ANAME record instead of a CNAME.</p>
        </CardContent>
      ) : (
        <div>
          {/* Column heads for wide screens; the actions column has a fixed width so heads and rows line up. */}
          <div aria-hidden="true" className="hidden grid-cols-[minmax(0,1fr)_minmax(0,1fr)_6.5rem] gap-3 border-b border-border bg-surface-muted px-5 py-2 text-xs font-medium tracking-wide text-muted uppercase md:grid">
            <span>Domain name</span>
            <span>DNS target (CNAME)</span>
            <span />
          </div>
          <ul aria-label="Custom domains" className="divide-y divide-border">
            {custom.map((domain) => (
              <DomainRow key={domain.id} appName={app.name} hostname={domain.hostname} dnsTarget={defaultHostname} canRemove={!reason} />
            ))}
          </ul>
        </div>
      )}

      <div className="border-t border-border">
        {!reason ? (
          <AddDomainForm appName={app.name} dnsTarget={defaultHostname} />
        ) : (
          <p className="px-4 py-3 text-sm text-muted sm:px-5">{reason}</p>
        )}
      </div>
    </Card>
  );
}

