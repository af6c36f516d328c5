"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc-provider";
import { errorFor, formErrorOf } from "@/components/trpc-errors";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogFooter, DialogTrigger } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { FieldError } from "@/components/ui/field-error";
import { PlusIcon } from "@/components/ui/icons";
import { Select } from "@/components/ui/input";
import { STAGE_LABELS } from "./types";

/** `heroku pipelines:add`: one of the owner's apps (not in a pipeline yet) into this stage. */
export function AddAppDialog({ pipeline, stage }: { pipeline: string; stage: "development" | "staging" | "production" }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [isOpen, setIsOpen] = useState(false);
  const apps = useQuery({ ...trpc.pipelines.addableApps.queryOptions({ pipeline }), enabled: isOpen, staleTime: 0 });
  const add = useMutation(
    trpc.pipelines.addApp.mutationOptions({
      onSuccess: async () => {
        setIsOpen(false);
        await queryClient.invalidateQueries({ queryKey: trpc.pipelines.get.queryKey({ pipeline }) });
      },
    }),
  );
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    add.mutate({ pipeline, app: String(new FormData(event.currentTarget).get("app") ?? ""), stage });
  }
  return (
    <Dialog
      open={isOpen}
      onOpenChange={(open) => {
        setIsOpen(open);
        if (!open) add.reset();
      }}
    >
      <DialogTrigger asChild>
        <Button size="sm" variant="ghost" aria-label={`Add an app to ${STAGE_LABELS[stage]}`}>
          <PlusIcon />
          Add
        </Button>
      </DialogTrigger>
      <DialogContent title={`Add an app to ${STAGE_LABELS[stage].toLowerCase()}`} description="Apps of the pipeline's owner that are in no pipeline and that you may deploy.">
        <form onSubmit={onSubmit} noValidate className="space-y-4">
          {apps.data?.length === 0 ? (
            <p className="text-sm text-muted">No app can join: create one for the pipeline&apos;s owner first, or take one out of its pipeline.</p>
          ) : (
            <Field id={`add-${stage}-app`} label="App" error={errorFor(add.error, "app")}>
              {(props) => (
                <Select {...props} name="app" disabled={apps.isPending}>
                  {apps.data?.map((a) => (
                    <option key={a.id} value={a.name}>
                      {a.name}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
          )}
          <FieldError message={formErrorOf(add.error, ["app"])} />
          <DialogFooter>
            <DialogClose asChild>
              <Button variant="ghost">Cancel</Button>
            </DialogClose>
            <Button type="submit" isPending={add.isPending} disabled={!apps.data?.length}>
              Add app
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
