"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { BuildLog } from "@/components/build-log";
import { BuildOutput } from "@/components/build-output";
import { PageHeader } from "@/components/page-header";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { Badge } from "@/components/ui/badge";
import { buttonClasses } from "@/components/ui/button";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { SETUP_STEP_LABELS } from "@/server/services/app-setups/steps";
import { SetupSteps } from "./setup-steps";

const POLL_MS = 1000;

/**
 * One app setup as it runs: each step's state (polled every second while it is pending),
 * the build's output streaming live while the app exists, postdeploy's output, and how it
 * ended — the app to open, or why it failed and that its app was removed.
 */
export function SetupProgress({ setupId }: { setupId: string }) {
  const trpc = useTRPC();
  const setup = useQuery({
    ...trpc.appSetups.get.queryOptions({ id: setupId }),
    refetchInterval: (q) => (q.state.data?.status === "pending" || (!q.state.data && !q.state.error) ? POLL_MS : false),
  });

  if (setup.isPending) return <Skeleton className="h-96 w-full" />;
  if (setup.isError) {
    return (
      <Card tone="danger">
        <CardContent className="py-5 text-sm text-danger">{messageOf(setup.error)}</CardContent>
      </Card>
    );
  }
  const s = setup.data;
  const appName = s.app.name;
  const failedStep = s.steps.find((st) => st.status === "failed");
  return (
    <div className="space-y-5">
      <PageHeader
        eyebrow="App setup from app.json"
        title={
          <span className="flex flex-wrap items-center gap-3">
            {s.status === "succeeded" ? `${appName} is set up` : s.status === "failed" ? `Setting up ${appName} failed` : `Setting up ${appName}`}
            <StatusBadge status={s.status} />
          </span>
        }
        description={[s.manifest?.name, s.manifest?.description].filter(Boolean).join(" — ") || undefined}
      />

      {s.status === "succeeded" && (
        <Card aria-label="Result">
          <CardContent className="flex flex-wrap items-center justify-between gap-3 py-4">
            <p className="text-sm text-fg">
              Every step succeeded. <span className="text-muted">Deploy new code with git push or the Deploy tab, as for any app.</span>
            </p>
            <div className="flex flex-wrap gap-2">
              <Link href={`/apps/${appName}`} className={buttonClasses({ variant: "secondary" })}>
                Go to {appName}
              </Link>
              {s.resolvedSuccessUrl && (
                <a href={s.resolvedSuccessUrl} target="_blank" rel="noreferrer" className={buttonClasses()}>
                  Open app
                </a>
              )}
            </div>
          </CardContent>
        </Card>
      )}

      {s.status === "failed" && (
        <Card tone="danger" aria-label="Why it failed">
          <CardHeader title="The setup failed" description={failedStep ? `At “${SETUP_STEP_LABELS[failedStep.key]}”.` : undefined} />
          <CardContent className="space-y-3 py-4 text-sm">
            <p className="font-medium text-danger">{s.failureMessage}</p>
            {s.manifestErrors.length > 0 && (
              <ul className="space-y-1" aria-label="Problems in app.json">
                {s.manifestErrors.map((e) => {
                  const at = e.indexOf(": ");
                  return (
                    <li key={e} className="flex flex-wrap gap-x-2">
                      <code className="rounded bg-surface-muted px-1.5 font-mono text-[13px] text-fg">{at > 0 ? e.slice(0, at) : e}</code>
                      <span className="text-muted">{at > 0 ? e.slice(at + 2) : ""}</span>
                    </li>
                  );
                })}
              </ul>
            )}
            <p className="text-muted" role="note">
              {s.appRemoved
                ? `The app ${appName} was removed, with everything the setup had made for it (config vars, add-ons, dynos, builds): a failed setup leaves nothing half-made. This record and its output stay here.`
                : `The app ${appName} is being removed, with everything the setup had made for it.`}
            </p>
            <Link href="/apps/new?from=app-json" className={buttonClasses({ variant: "secondary" })}>
              Start a new setup
            </Link>
          </CardContent>
        </Card>
      )}

      <Card aria-label="Steps">
        <CardHeader title="Steps" description={s.source.kind === "url" ? `From ${s.source.url}` : "From an uploaded archive"} />
        <CardContent className="py-2">
          <SetupSteps steps={s.steps} />
        </CardContent>
      </Card>

      {s.build && (
        <Card aria-label="Build">
          <CardHeader title="Build output" />
          <CardContent className="py-4">
            {!s.appRemoved && s.app.id ? (
              <BuildOutput key={s.build.id} appName={appName} buildId={s.build.id} />
            ) : (
              <BuildLog text={s.buildOutput ?? ""} placeholder="This build wrote no output." />
            )}
          </CardContent>
        </Card>
      )}

      {s.postdeploy && (
        <Card aria-label="Postdeploy">
          <CardHeader title="postdeploy output" description={s.postdeploy.exitCode === null ? "Running in a one-off dyno…" : `Exited with status ${s.postdeploy.exitCode}`} />
          <CardContent className="py-4">
            <BuildLog text={s.postdeploy.output} label="postdeploy output" placeholder="No output yet." />
          </CardContent>
        </Card>
      )}
    </div>
  );
}

function StatusBadge({ status }: { status: "pending" | "succeeded" | "failed" }) {
  if (status === "succeeded") return <Badge tone="success">Succeeded</Badge>;
  if (status === "failed") return <Badge tone="danger">Failed</Badge>;
  return (
    <Badge tone="warning">
      <span aria-hidden="true" className="size-1.5 animate-pulse rounded-full bg-current motion-reduce:animate-none" />
      In progress
    </Badge>
  );
}
