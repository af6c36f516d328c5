"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/trpc-provider";
import { fieldErrorsOf, messageOf } from "@/components/trpc-errors";
import type { FormationEntry } from "./types";

export type ScaleDraft = { quantity: number; size: string };

/**
 * A process type's scale being edited: the draft shows at once, Confirm writes it.
 * On failure the draft is dropped, so the controls return to the true formation, and
 * the server's message stays next to the card.
 */
export function useScale(appName: string, entry: FormationEntry) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<ScaleDraft | null>(null);
  const [error, setError] = useState<string | null>(null);

  const update = useMutation(
    trpc.formation.update.mutationOptions({
      onSuccess: (formation) => {
        queryClient.setQueryData(trpc.formation.list.queryKey({ app: appName }), formation);
        void queryClient.invalidateQueries({ queryKey: trpc.dynos.list.queryKey({ app: appName }) });
        void queryClient.invalidateQueries({ queryKey: trpc.quotas.forApp.queryKey({ app: appName }) });
        setDraft(null);
      },
      onError: (err) => {
        // The message names the limit (e.g. a size's maximum); the field error only says "at most N".
        setError(messageOf(err) || fieldErrorsOf(err)[entry.type] || "Couldn't scale.");
        setDraft(null);
        void queryClient.invalidateQueries({ queryKey: trpc.formation.list.queryKey({ app: appName }) });
      },
    }),
  );

  const shown: ScaleDraft = draft ?? { quantity: entry.quantity, size: entry.size };
  const isDirty = draft !== null && (draft.quantity !== entry.quantity || draft.size !== entry.size);

  return {
    shown,
    isDirty,
    error,
    isPending: update.isPending,
    change(next: Partial<ScaleDraft>) {
      setError(null);
      setDraft({ ...shown, ...next });
    },
    cancel() {
      setDraft(null);
      setError(null);
    },
    confirm() {
      if (!draft || !isDirty) return;
      const change = { type: entry.type, quantity: draft.quantity, ...(draft.size !== entry.size ? { size: draft.size } : {}) };
      update.mutate({ app: appName, updates: [change] });
    },
  };
}
