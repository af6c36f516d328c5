"use client";

import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { FieldError } from "@/components/ui/field-error";
import { PlusIcon } from "@/components/ui/icons";
import { CodeInput } from "@/components/ui/input";
import { configErrorMessage } from "./config-var-row";

export function AddConfigVarForm({ onAdd, existingKeys, deniedReason }: { onAdd: (key: string, value: string) => Promise<void>; existingKeys: string[]; deniedReason?: string | null }) {
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const [isPending, setIsPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setIsPending(true);
    setError(null);
    try {
      await onAdd(key.trim(), value);
      setKey("");
      setValue("");
    } catch (err) {
      setError(configErrorMessage(err));
    } finally {
      setIsPending(false);
    }
  }

  const isOverwrite = existingKeys.includes(key.trim());
  return (
    <form onSubmit={onSubmit} noValidate className="px-4 py-3 sm:px-5" aria-label="Add a config var" title={deniedReason ?? undefined}>
      <fieldset disabled={!!deniedReason} className="contents">
      <div className="grid gap-2 md:grid-cols-[minmax(0,1fr)_minmax(0,1.6fr)_auto]">
        <CodeInput
          aria-label="New config var key"
          placeholder="KEY"
          value={key}
          onChange={(e) => setKey(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "add-config-error" : undefined}
        />
        <CodeInput
          aria-label="New config var value"
          placeholder="VALUE"
          value={value}
          onChange={(e) => setValue(e.target.value)}
        />
        <Button type="submit" variant="secondary" isPending={isPending} disabled={!key.trim()}>
          {!isPending && <PlusIcon />}
          {isOverwrite ? "Update" : "Add"}
        </Button>
      </div>
      </fieldset>
      {deniedReason && <p className="mt-2 text-sm text-muted">{deniedReason}</p>}
      <FieldError id="add-config-error" className="mt-2" message={error} />
      {isOverwrite && !error && <p className="mt-2 text-sm text-muted">{key.trim()} exists; adding replaces its value.</p>}
    </form>
  );
}
