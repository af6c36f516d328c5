"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { STAGES } from "@/server/auth/permissions";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { Badge } from "@/components/ui/badge";
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuLabel, DropdownMenuSeparator, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";
import { ExternalLinkIcon, MoreIcon } from "@/components/ui/icons";
import { RelativeTime } from "@/components/ui/relative-time";
import { useToast } from "@/components/ui/toast";
import { PromoteDialog } from "./promote-dialog";
import { STAGE_LABELS, type StageApp, type StageDiff } from "./types";

const short = (sha: string | null | undefined) => (sha ? sha.slice(0, 7) : null);

/** One app of a stage: its current release, how it compares with the stage before, and what can be done with it. */
export function StageAppCard({
  pipeline,
  stage,
  app,
  targets,
  nextStage,
  diff,
  canCouple,
}: {
  pipeline: string;
  stage: string;
  app: StageApp;
  targets: StageApp[];
  nextStage: string | null;
  diff: StageDiff[];
  canCouple: boolean;
}) {
  const trpc = useTRPC();
  const toast = useToast();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.pipelines.get.queryKey({ pipeline }) });
  const onError = (err: unknown) => toast.error(`Couldn't change ${app.name}`, messageOf(err));
  const move = useMutation(trpc.pipelines.moveApp.mutationOptions({ onSuccess: refresh, onError }));
  const remove = useMutation(trpc.pipelines.removeApp.mutationOptions({ onSuccess: refresh, onError }));
  const canChange = canCouple && app.permissions.includes("deploy");
  const release = app.release;
  return (
    <li className="rounded-md border border-border bg-surface p-3 shadow-xs" aria-label={app.name}>
      <div className="flex items-start justify-between gap-2">
        <Link href={`/apps/${app.name}`} className="min-w-0 truncate font-medium text-link hover:underline">
          {app.name}
        </Link>
        <div className="flex shrink-0 items-center gap-0.5">
          <a href={app.webUrl} target="_blank" rel="noreferrer" aria-label={`Open ${app.name}`} className="rounded p-1 text-muted hover:bg-surface-muted hover:text-fg">
            <ExternalLinkIcon />
          </a>
          {canChange && (
            <DropdownMenu>
              <DropdownMenuTrigger aria-label={`More for ${app.name}`} className="rounded p-1 text-muted hover:bg-surface-muted hover:text-fg focus-visible:outline-2 focus-visible:outline-ring">
                <MoreIcon />
              </DropdownMenuTrigger>
              <DropdownMenuContent align="end">
                <DropdownMenuLabel>Move to</DropdownMenuLabel>
                {STAGES.filter((s) => s !== stage && s !== "review").map((s) => (
                  <DropdownMenuItem key={s} onSelect={() => move.mutate({ pipeline, app: app.name, stage: s })}>
                    {STAGE_LABELS[s]}
                  </DropdownMenuItem>
                ))}
                <DropdownMenuSeparator />
                <DropdownMenuItem className="text-danger" onSelect={() => remove.mutate({ pipeline, app: app.name })}>
                  Remove from pipeline
                </DropdownMenuItem>
              </DropdownMenuContent>
            </DropdownMenu>
          )}
        </div>
      </div>
      {release ? (
        <p className="mt-1 text-sm text-muted">
          <span className="font-medium text-fg">v{release.version}</span> · {release.description}
          {release.commit && !release.description.includes(release.commit.slice(0, 7)) && (
            <>
              {" "}
              · <code className="font-mono text-xs">{short(release.commit)}</code>
            </>
          )}
          <br />
          <RelativeTime date={release.createdAt} />
          {release.user && <> by {release.user}</>}
        </p>
      ) : (
        <p className="mt-1 text-sm text-muted">Not deployed yet.</p>
      )}
      {diff.map((d) => (
        <DiffLine key={d.from} diff={d} />
      ))}
      {nextStage && targets.length > 0 && release?.imageTag && (
        <div className="mt-3">
          <PromoteDialog pipeline={pipeline} source={app} targets={targets} nextStage={nextStage} />
        </div>
      )}
    </li>
  );
}

function DiffLine({ diff }: { diff: StageDiff }) {
  if (diff.state === "none") return null;
  if (diff.state === "same") {
    return (
      <p className="mt-2 text-sm">
        <Badge tone="success">Up to date</Badge> <span className="text-muted">with {diff.from}</span>
      </p>
    );
  }
  if (diff.state === "different" || diff.ahead === null) {
    return (
      <p className="mt-2 text-sm">
        <Badge tone="warning">Differs</Badge> <span className="text-muted">from {diff.from}</span>
      </p>
    );
  }
  return (
    <details className="mt-2 text-sm">
      <summary className="cursor-pointer">
        <Badge tone="warning" className="whitespace-normal">
          {diff.from} is {diff.ahead} commit{diff.ahead === 1 ? "" : "s"} ahead
        </Badge>
      </summary>
      <ul className="mt-2 space-y-1 border-l-2 border-border pl-3" aria-label={`Commits in ${diff.from} that this app lacks`}>
        {diff.commits.map((c) => (
          <li key={c.sha} className="text-muted">
            <code className="font-mono text-xs text-fg">{c.sha.slice(0, 7)}</code> {c.message} <span className="text-xs">— {c.author}</span>
          </li>
        ))}
        {diff.ahead > diff.commits.length && <li className="text-xs text-muted">…and {diff.ahead - diff.commits.length} more</li>}
      </ul>
    </details>
  );
}
