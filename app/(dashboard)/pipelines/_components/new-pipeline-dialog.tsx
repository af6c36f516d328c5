"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { STAGES } from "@/server/auth/permissions";
import { useTRPC } from "@/components/trpc-provider";
import { errorFor, formErrorOf } from "@/components/trpc-errors";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogFooter, DialogTrigger } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { FieldError } from "@/components/ui/field-error";
import { PlusIcon } from "@/components/ui/icons";
import { Input, Select } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";

/** A pipeline of the user or of a team, made from its first app (as `heroku pipelines:create -a APP`). */
export function NewPipelineDialog() {
  const [isOpen, setIsOpen] = useState(false);
  return (
    <Dialog open={isOpen} onOpenChange={setIsOpen}>
      <DialogTrigger asChild>
        <Button>
          <PlusIcon />
          New pipeline
        </Button>
      </DialogTrigger>
      <DialogContent title="New pipeline" description="Name it, choose who owns it, and put its first app in a stage.">
        <NewPipelineForm />
      </DialogContent>
    </Dialog>
  );
}

/** Mounted only while the dialog is open, so its lists are read fresh each time (apps made in the CLI or another tab). */
function NewPipelineForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [owner, setOwner] = useState("");
  const teams = useQuery(trpc.teams.list.queryOptions());
  const me = useQuery(trpc.account.me.queryOptions());
  // The first page by name is plenty for picking a first app; the rest join from the pipeline page.
  const apps = useQuery({ ...trpc.apps.list.queryOptions({ team: owner || null, limit: 100 }), refetchOnMount: "always" });
  const create = useMutation(
    trpc.pipelines.create.mutationOptions({
      onSuccess: async (pipeline) => {
        await queryClient.invalidateQueries({ queryKey: trpc.pipelines.list.queryKey() });
        toast.success(`Created pipeline ${pipeline.name}`);
        router.push(`/pipelines/${encodeURIComponent(pipeline.name)}`);
      },
    }),
  );
  // A personal pipeline takes the user's own apps; a team's, the team's.
  const ownApps = (apps.data?.apps ?? []).filter((a) => (owner ? a.team?.name === owner : a.ownerId === me.data?.id));

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const app = String(form.get("app") ?? "");
    create.mutate({
      name: String(form.get("name") ?? "").trim(),
      team: owner || null,
      app: app || null,
      stage: app ? (String(form.get("stage")) as (typeof STAGES)[number]) : null,
    });
  }

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      <Field id="pipeline-name" label="Name" hint="Lowercase letters, digits and dashes, 3–30 characters." error={errorFor(create.error, "name")}>
        {(props) => <Input {...props} name="name" autoComplete="off" spellCheck={false} maxLength={30} required autoFocus />}
      </Field>
      <Field id="pipeline-owner" label="Owner" hint="A pipeline's apps belong to its owner.">
        {(props) => (
          <Select {...props} value={owner} onChange={(e) => setOwner(e.target.value)}>
            <option value="">Personal</option>
            {teams.data?.map((t) => (
              <option key={t.id} value={t.name}>
                {t.name} (team)
              </option>
            ))}
          </Select>
        )}
      </Field>
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-[minmax(0,1fr)_9rem]">
        <Field id="pipeline-app" label="First app" error={errorFor(create.error, "app")}>
          {(props) => (
            <Select {...props} name="app" defaultValue="">
              <option value="">None for now</option>
              {ownApps.map((a) => (
                <option key={a.id} value={a.name}>
                  {a.name}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field id="pipeline-stage" label="Stage">
          {(props) => (
            <Select {...props} name="stage" defaultValue="staging">
              {STAGES.filter((s) => s !== "review").map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </Select>
          )}
        </Field>
      </div>
      <FieldError message={formErrorOf(create.error, ["name", "app"])} />
      <DialogFooter>
        <DialogClose asChild>
          <Button variant="ghost">Cancel</Button>
        </DialogClose>
        <Button type="submit" isPending={create.isPending}>
          {create.isPending ? "Creating…" : "Create pipeline"}
        </Button>
      </DialogFooter>
    </form>
  );
}
