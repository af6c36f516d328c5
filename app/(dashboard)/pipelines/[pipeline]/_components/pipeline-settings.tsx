"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import type { FormEvent } from "react";
import { pipelineAllows } from "@/server/auth/permissions";
import { ConfirmByNameDialog } from "@/components/confirm-by-name-dialog";
import { useTRPC } from "@/components/trpc-provider";
import { errorFor, formErrorOf } from "@/components/trpc-errors";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { FieldError } from "@/components/ui/field-error";
import { Input } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";
import type { Overview } from "./types";

/** Rename, transfer and destroy: a team pipeline's admins, a personal pipeline's owner. */
export function PipelineSettings({ pipeline }: { pipeline: Overview["pipeline"] }) {
  const trpc = useTRPC();
  const router = useRouter();
  const toast = useToast();
  const queryClient = useQueryClient();
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.pipelines.list.queryKey() });
  const rename = useMutation(
    trpc.pipelines.rename.mutationOptions({
      onSuccess: async (p) => {
        toast.success(`Renamed to ${p.name}`);
        await invalidate();
        router.replace(`/pipelines/${encodeURIComponent(p.name)}`);
      },
    }),
  );
  const transfer = useMutation(
    trpc.pipelines.transfer.mutationOptions({
      onSuccess: async () => {
        toast.success(`Transferred ${pipeline.name} and its apps`);
        await invalidate();
        await queryClient.invalidateQueries({ queryKey: trpc.pipelines.get.queryKey({ pipeline: pipeline.name }) });
      },
    }),
  );
  const destroy = useMutation(
    trpc.pipelines.destroy.mutationOptions({
      onSuccess: async () => {
        toast.success(`Destroyed pipeline ${pipeline.name}`, "Its apps stay; its review apps are gone.");
        await invalidate();
        router.push("/pipelines");
      },
    }),
  );
  if (!pipelineAllows(pipeline.role, "pipeline:rename")) {
    return (
      <p className="text-sm text-muted">
        Renaming, transferring and destroying this pipeline is for {pipeline.team ? `admins of ${pipeline.team.name}` : "its owner"}.
      </p>
    );
  }
  const onRename = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    rename.mutate({ pipeline: pipeline.name, name: String(new FormData(e.currentTarget).get("name") ?? "").trim() });
  };
  const onTransfer = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    transfer.mutate({ pipeline: pipeline.name, to: String(new FormData(e.currentTarget).get("to") ?? "").trim() });
  };
  return (
    <Card aria-labelledby="pipeline-settings-title">
      <CardHeader titleId="pipeline-settings-title" title="Settings" />
      <CardContent className="grid gap-6 md:grid-cols-2">
        <form onSubmit={onRename} noValidate className="space-y-3">
          <Field id="pipeline-rename" label="Name" error={errorFor(rename.error, "name")}>
            {(props) => <Input {...props} name="name" defaultValue={pipeline.name} maxLength={30} autoComplete="off" spellCheck={false} />}
          </Field>
          <FieldError message={formErrorOf(rename.error, ["name"])} />
          <Button type="submit" variant="secondary" isPending={rename.isPending}>
            Rename
          </Button>
        </form>
        <form onSubmit={onTransfer} noValidate className="space-y-3">
          <Field
            id="pipeline-transfer"
            label="Transfer to"
            hint={pipeline.team ? "Another team you admin, or an admin of this team (email)." : "A team you are a member of. Every app of the pipeline moves with it."}
          >
            {(props) => <Input {...props} name="to" placeholder={pipeline.team ? "team-name or admin@example.com" : "team-name"} autoComplete="off" spellCheck={false} />}
          </Field>
          <FieldError message={formErrorOf(transfer.error, [])} />
          <Button type="submit" variant="secondary" isPending={transfer.isPending}>
            Transfer
          </Button>
        </form>
      </CardContent>
      <div className="flex flex-wrap items-center justify-between gap-3 border-t border-border px-4 py-3 sm:px-5">
        <p className="text-sm text-muted">Destroying the pipeline keeps its apps (out of any pipeline) and destroys its review apps.</p>
        <ConfirmByNameDialog
          name={pipeline.name}
          id="destroy-pipeline"
          trigger="Destroy pipeline"
          title={`Destroy ${pipeline.name}?`}
          description="Its apps stay, out of any pipeline. Its review apps are destroyed, with their add-ons."
          action="Destroy pipeline"
          pendingAction="Destroying…"
          isPending={destroy.isPending}
          error={destroy.error}
          onConfirm={(confirm) => destroy.mutate({ pipeline: pipeline.name, confirm })}
          onClose={() => destroy.reset()}
        />
      </div>
    </Card>
  );
}
