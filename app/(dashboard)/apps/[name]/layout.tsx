import Link from "next/link";
import type { ReactNode } from "react";
import { getServerCaller, orNotFound } from "@/app/_server/session";
import { AppTabs } from "@/components/app-tabs";
import { buttonClasses } from "@/components/ui/button";
import { BoxIcon, ExternalLinkIcon, LayersIcon } from "@/components/ui/icons";

export default async function AppLayout({ children, params }: { children: ReactNode; params: Promise<{ name: string }> }) {
  const name = decodeURIComponent((await params).name);
  // Unknown apps, and apps of other people or teams, are the same 404.
  const caller = await getServerCaller();
  const app = await orNotFound(caller.apps.get({ app: name }));
  const pipeline = await caller.pipelines.forApp({ app: app.name });
  const ownerHref = app.team ? `/teams/${encodeURIComponent(app.team.name)}` : "/apps";
  return (
    <div>
      <div className="mb-4 flex items-center gap-3">
        <span className="flex size-10 shrink-0 items-center justify-center rounded-lg bg-accent-soft text-link [&_svg]:size-5" aria-hidden="true">
          <BoxIcon />
        </span>
        <div className="min-w-0">
          <nav aria-label="Breadcrumb" className="text-sm text-muted">
            <Link href={ownerHref} className="hover:text-fg hover:underline">
              {app.team ? app.team.name : "Personal"}
            </Link>
            <span aria-hidden="true"> / </span>
          </nav>
          <h1 className="truncate text-2xl font-semibold tracking-tight text-fg">{app.name}</h1>
          {pipeline && (
            <p className="flex flex-wrap items-center gap-1.5 text-sm text-muted">
              <LayersIcon className="shrink-0" aria-hidden="true" />
              {pipeline.canOpen ? (
                <Link href={`/pipelines/${encodeURIComponent(pipeline.name)}`} className="font-medium text-link hover:underline">
                  {pipeline.name}
                </Link>
              ) : (
                <span className="font-medium text-fg">{pipeline.name}</span>
              )}
              <span>· {pipeline.branch ? `review app of branch ${pipeline.branch}` : pipeline.stage}</span>
            </p>
          )}
        </div>
        <a href={app.webUrl} target="_blank" rel="noreferrer" className={buttonClasses({ variant: "secondary", size: "sm", className: "ml-auto shrink-0" })}>
          <ExternalLinkIcon />
          Open app
        </a>
      </div>
      <AppTabs appName={app.name} />
      <div className="pt-6">{children}</div>
    </div>
  );
}
