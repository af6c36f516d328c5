"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/trpc-provider";
import { formErrorOf } from "@/components/trpc-errors";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogFooter, DialogTrigger } from "@/components/ui/dialog";
import { FieldError } from "@/components/ui/field-error";
import { useToast } from "@/components/ui/toast";
import type { StageApp } from "./types";

/**
 * Heroku's "Promote to production…": the source's current release goes to the chosen apps
 * of the next stage as a new release of each (same build, each app's own config). The
 * dialog says exactly what will happen before it does.
 */
export function PromoteDialog({ pipeline, source, targets, nextStage }: { pipeline: string; source: StageApp; targets: StageApp[]; nextStage: string }) {
  const trpc = useTRPC();
  const toast = useToast();
  const queryClient = useQueryClient();
  const allowed = targets.filter((t) => t.permissions.includes("deploy"));
  const [chosen, setChosen] = useState<string[]>(() => allowed.map((t) => t.name));
  const [isOpen, setIsOpen] = useState(false);
  const promote = useMutation(
    trpc.pipelines.promote.mutationOptions({
      onSuccess: async (promotion) => {
        setIsOpen(false);
        toast.info(`Promoting ${source.name} v${promotion.sourceVersion}`, `To ${promotion.targets.map((t) => t.appName).join(", ")}`);
        await queryClient.invalidateQueries({ queryKey: trpc.pipelines.get.queryKey({ pipeline }) });
      },
    }),
  );
  const release = source.release!;
  return (
    <Dialog
      open={isOpen}
      onOpenChange={(open) => {
        setIsOpen(open);
        if (open) setChosen(allowed.map((t) => t.name));
        else promote.reset();
      }}
    >
      <DialogTrigger asChild>
        <Button size="sm" variant="secondary" className="w-full">
          Promote to {nextStage}…
        </Button>
      </DialogTrigger>
      <DialogContent
        title={`Promote ${source.name} to ${nextStage}`}
        description={`v${release.version} (${release.description}) becomes a new release of each app you choose: the same build, nothing rebuilt, with each app's own config vars and release phase.`}
      >
        <fieldset className="space-y-2">
          <legend className="mb-1 text-sm font-medium text-fg">Promote to</legend>
          {targets.map((t) => {
            const mayDeploy = t.permissions.includes("deploy");
            return (
              <label key={t.id} className="flex items-start gap-2.5 text-sm">
                <input
                  type="checkbox"
                  className="mt-0.5 size-4 accent-[var(--color-primary)]"
                  checked={chosen.includes(t.name)}
                  disabled={!mayDeploy}
                  onChange={(e) => setChosen((c) => (e.target.checked ? [...c, t.name] : c.filter((n) => n !== t.name)))}
                />
                <span>
                  <span className="font-medium text-fg">{t.name}</span>
                  <span className="block text-muted">
                    {mayDeploy ? (t.release ? `now v${t.release.version}: ${t.release.description}` : "not deployed yet") : "You need the deploy permission on this app."}
                  </span>
                </span>
              </label>
            );
          })}
        </fieldset>
        <FieldError className="mt-3" message={formErrorOf(promote.error, [])} />
        <DialogFooter>
          <DialogClose asChild>
            <Button variant="ghost">Cancel</Button>
          </DialogClose>
          <Button isPending={promote.isPending} disabled={chosen.length === 0} onClick={() => promote.mutate({ pipeline, source: source.name, targets: chosen })}>
            {promote.isPending ? "Promoting…" : `Promote to ${chosen.length} app${chosen.length === 1 ? "" : "s"}`}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
