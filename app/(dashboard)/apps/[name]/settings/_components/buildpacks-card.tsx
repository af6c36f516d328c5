"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { deniedReason } from "@/components/app-permissions";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { FieldError } from "@/components/ui/field-error";
import { TrashIcon } from "@/components/ui/icons";
import { Select } from "@/components/ui/input";
import { RelativeTime } from "@/components/ui/relative-time";
import { LoadingRows } from "@/components/ui/skeleton";
import { useToast } from "@/components/ui/toast";
import { SETTABLE_BUILDPACKS } from "@/server/build/buildpack-names";
import { BuildCacheSection } from "./build-cache-section";
import type { AppDetails } from "./types";

// What builds record as their buildpack (several joined with commas), as people name them.
const LABELS: Record<string, string> = { dockerfile: "Dockerfile", static: "Static site", ...Object.fromEntries(SETTABLE_BUILDPACKS.map((b) => [b.buildpack, b.label])) };
const labelOf = (name: string) => SETTABLE_BUILDPACKS.find((b) => b.name === name)?.label ?? name;

/**
 * Heroku's Buildpacks section: what the last build used and the app's own buildpacks,
 * which override detection from the next build on (`heroku buildpacks:set` does the same).
 */
export function BuildpacksCard({ app }: { app: AppDetails }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const list = useQuery(trpc.buildpacks.list.queryOptions({ app: app.name }));
  const set = useMutation(trpc.buildpacks.set.mutationOptions());
  const reason = deniedReason(app.permissions, "buildpacks:write");
  const installed = list.data?.installed ?? [];
  const addable = SETTABLE_BUILDPACKS.filter((b) => !installed.includes(b.name));
  const [choice, setChoice] = useState("");
  const chosen = addable.some((b) => b.name === choice) ? choice : (addable[0]?.name ?? "");

  async function save(next: string[], done: string, detail: string) {
    try {
      const result = await set.mutateAsync({ app: app.name, buildpacks: next });
      queryClient.setQueryData(trpc.buildpacks.list.queryKey({ app: app.name }), (old) => (old ? { ...old, installed: result.installed } : old));
      toast.success(done, detail);
    } catch {
      // Shown next to the controls (set.error); the list shows what the server holds.
      void queryClient.invalidateQueries({ queryKey: trpc.buildpacks.list.queryKey({ app: app.name }) });
    }
  }

  const last = list.data?.lastBuild;
  return (
    <Card id="buildpacks" aria-labelledby="buildpacks-title" className="scroll-mt-24">
      <CardHeader
        titleId="buildpacks-title"
        title="Buildpacks"
        description="Buildpacks turn what you push into your app's image. With none set, every build detects the app type (a Dockerfile, Node.js, Python or a static site); set one to choose instead."
      />
      {list.isPending ? (
        <LoadingRows label="Loading buildpacks" rows={2} />
      ) : list.isError ? (
        <CardContent>
          <FieldError message={`Couldn't load buildpacks: ${messageOf(list.error)}`} />
        </CardContent>
      ) : (
        <CardContent className="space-y-4">
          <p className="text-sm text-muted" data-testid="last-buildpack">
            {last ? (
              <>
                Last build: <span className="font-medium text-fg">{last.buildpack!.split(",").map((b) => LABELS[b] ?? b).join(" + ")}</span> (
                <RelativeTime date={last.createdAt} />)
              </>
            ) : (
              "No build has run yet."
            )}
          </p>
          {installed.length === 0 ? (
            <p className="rounded-md border border-border bg-surface-muted px-3 py-2 text-sm text-muted">
              <span className="font-medium text-fg">Detected automatically.</span> The next build picks the buildpack from your source.
            </p>
          ) : (
            <div className="space-y-2">
              <p className="text-sm text-muted">Builds run these, in order, instead of detecting the app type; the next push uses them.</p>
              <ol aria-label="Buildpacks set for this app" className="divide-y divide-border rounded-md border border-border">
                {installed.map((name, i) => (
                  <li key={name} aria-label={name} className="flex items-center justify-between gap-3 px-3 py-2">
                    <span className="flex min-w-0 items-center gap-2">
                      <span className="text-sm text-muted tabular-nums">{i + 1}.</span>
                      <code className="font-mono text-sm text-fg">{name}</code>
                      <Badge>{labelOf(name)}</Badge>
                    </span>
                    {!reason && (
                      <Button
                        variant="ghost"
                        size="sm"
                        aria-label={`Remove ${name}`}
                        className="hover:text-danger"
                        disabled={set.isPending}
                        onClick={() => save(installed.filter((n) => n !== name), `Removed ${name}`, installed.length === 1 ? "The next build detects the app type." : "The next build uses the others.")}
                      >
                        <TrashIcon />
                        <span className="hidden sm:inline">Remove</span>
                      </Button>
                    )}
                  </li>
                ))}
              </ol>
            </div>
          )}
          {reason ? (
            <p className="text-sm text-muted">{reason}</p>
          ) : (
            addable.length > 0 && (
              <div className="flex flex-wrap items-center gap-2">
                <label htmlFor="buildpack-choice" className="sr-only">
                  Buildpack
                </label>
                <div className="w-full sm:w-72">
                  <Select id="buildpack-choice" value={chosen} onChange={(e) => setChoice(e.target.value)} disabled={set.isPending}>
                    {addable.map((b) => (
                      <option key={b.name} value={b.name}>
                        {b.name} ({b.label})
                      </option>
                    ))}
                  </Select>
                </div>
                <Button variant="secondary" isPending={set.isPending} onClick={() => save([...installed, chosen], `Buildpack ${chosen} added`, "Push again to build with it.")}>
                  {installed.length ? "Add buildpack" : "Set buildpack"}
                </Button>
              </div>
            )
          )}
          <FieldError message={set.error ? messageOf(set.error) : null} />
        </CardContent>
      )}
      <BuildCacheSection app={app} />
    </Card>
  );
}
