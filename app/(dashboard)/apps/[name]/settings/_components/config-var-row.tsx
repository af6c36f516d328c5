"use client";

import { useState, type FormEvent } from "react";
import { fieldErrorsOf, messageOf } from "@/components/trpc-errors";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogFooter } from "@/components/ui/dialog";
import { FieldError } from "@/components/ui/field-error";
import { EyeIcon, EyeOffIcon, PencilIcon, TrashIcon } from "@/components/ui/icons";
import { CodeInput } from "@/components/ui/input";
import type { ConfigVarsApi } from "./config-vars-card";

const HIDDEN = "••••••";

/** The server names the config key (or the input field) that failed; any of them belongs to this row. */
export function configErrorMessage(error: unknown): string {
  const fields = Object.values(fieldErrorsOf(error));
  return fields[0] ?? messageOf(error);
}

export function ConfigVarRow({ configKey, value, api, denied }: { configKey: string; value: string | undefined; api: ConfigVarsApi; denied: { read: string | null; write: string | null } }) {
  const [pending, setPending] = useState<"reveal" | "edit" | "save" | "remove" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [draft, setDraft] = useState<{ key: string; value: string } | null>(null);
  const [isConfirmingRemove, setIsConfirmingRemove] = useState(false);
  const isRevealed = value !== undefined;

  async function run(kind: NonNullable<typeof pending>, work: () => Promise<unknown>) {
    setPending(kind);
    setError(null);
    try {
      await work();
      return true;
    } catch (err) {
      setError(configErrorMessage(err));
      return false;
    } finally {
      setPending(null);
    }
  }

  async function startEdit() {
    await run("edit", async () => setDraft({ key: configKey, value: value ?? (await api.reveal(configKey)) }));
  }

  async function onSave(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!draft) return;
    const ok = await run("save", () => api.save({ key: draft.key, value: draft.value, previousKey: configKey }));
    if (ok) setDraft(null);
  }

  if (draft) {
    return (
      <li className="px-4 py-3 sm:px-5">
        <form onSubmit={onSave} className="grid gap-2 md:grid-cols-[minmax(0,1fr)_minmax(0,1.6fr)_auto] md:items-start" noValidate>
          <CodeInput
            aria-label={`Key (was ${configKey})`}
            value={draft.key}
            onChange={(e) => setDraft({ ...draft, key: e.target.value })}
            autoFocus
            aria-invalid={error ? true : undefined}
          />
          <CodeInput
            aria-label={`Value of ${configKey}`}
            value={draft.value}
            onChange={(e) => setDraft({ ...draft, value: e.target.value })}
          />
          <div className="flex gap-2">
            <Button type="submit" size="md" isPending={pending === "save"}>
              Save
            </Button>
            <Button
              variant="ghost"
              onClick={() => {
                setDraft(null);
                setError(null);
              }}
              disabled={pending === "save"}
            >
              Cancel
            </Button>
          </div>
        </form>
        <FieldError className="mt-2" message={error} />
      </li>
    );
  }

  return (
    <li aria-label={configKey} className="px-4 py-3 sm:px-5">
      <div className="grid grid-cols-[minmax(0,1fr)_auto] items-center gap-x-3 gap-y-1 md:grid-cols-[minmax(0,1fr)_minmax(0,1.6fr)_auto]">
        <span className="col-start-1 row-start-1 truncate font-mono text-sm font-medium text-fg" title={configKey}>
          {configKey}
        </span>
        <span
          className={
            isRevealed
              ? "col-span-2 row-start-2 font-mono text-sm break-all whitespace-pre-wrap text-fg md:col-span-1 md:col-start-2 md:row-start-1"
              : "col-span-2 row-start-2 font-mono text-sm tracking-widest text-muted md:col-span-1 md:col-start-2 md:row-start-1"
          }
        >
          {isRevealed ? value || <span className="text-muted italic">(empty)</span> : <span aria-label="Value hidden">{HIDDEN}</span>}
        </span>
        <div className="col-start-2 row-start-1 flex items-center justify-end gap-1 md:col-start-3">
          <Button
            variant="ghost"
            size="sm"
            aria-label={`${isRevealed ? "Hide" : "Reveal"} ${configKey}`}
            isPending={pending === "reveal"}
            disabled={!!denied.read}
            title={denied.read ?? undefined}
            onClick={() => (isRevealed ? api.hide(configKey) : run("reveal", () => api.reveal(configKey)))}
          >
            {pending !== "reveal" && (isRevealed ? <EyeOffIcon /> : <EyeIcon />)}
            <span className="hidden sm:inline">{isRevealed ? "Hide" : "Reveal"}</span>
          </Button>
          <Button variant="ghost" size="sm" aria-label={`Edit ${configKey}`} title={denied.write ?? "Edit"} disabled={!!denied.write} isPending={pending === "edit"} onClick={startEdit}>
            {pending !== "edit" && <PencilIcon />}
          </Button>
          <Button
            variant="ghost"
            size="sm"
            aria-label={`Remove ${configKey}`}
            title={denied.write ?? "Remove"}
            disabled={!!denied.write}
            className="hover:text-danger"
            onClick={() => {
              setError(null);
              setIsConfirmingRemove(true);
            }}
          >
            <TrashIcon />
          </Button>
        </div>
      </div>
      <FieldError className="mt-2" message={isConfirmingRemove ? null : error} />
      <Dialog open={isConfirmingRemove} onOpenChange={(open) => pending !== "remove" && setIsConfirmingRemove(open)}>
        <DialogContent
          title={`Remove ${configKey}?`}
          description="The app gets a new release without this config var. Its value is not kept."
        >
          <FieldError message={error} />
          <DialogFooter>
            <DialogClose asChild>
              <Button variant="ghost" disabled={pending === "remove"}>
                Cancel
              </Button>
            </DialogClose>
            <Button
              variant="danger"
              isPending={pending === "remove"}
              onClick={async () => {
                if (await run("remove", () => api.remove(configKey))) setIsConfirmingRemove(false);
              }}
            >
              Remove
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </li>
  );
}
