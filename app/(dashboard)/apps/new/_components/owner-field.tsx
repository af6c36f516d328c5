"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/trpc-provider";
import { Field } from "@/components/ui/field";
import { Select } from "@/components/ui/input";

const PERSONAL = "";

/** Who will own the new app: the user, or one of their teams (shared by both ways of creating one). */
export function useOwner(defaultTeam: string | null) {
  const trpc = useTRPC();
  const me = useQuery(trpc.account.me.queryOptions());
  const teams = useQuery(trpc.teams.list.queryOptions());
  const [owner, setOwner] = useState(defaultTeam ?? PERSONAL);
  // A ?team= for a team the user isn't in would silently create a personal app: don't offer it.
  const isKnown = owner === PERSONAL || !!teams.data?.some((t) => t.name === owner);
  return { owner, setOwner, team: owner || null, me, teams, isKnown, isReady: isKnown || teams.isPending };
}

export function OwnerField({ state, error }: { state: ReturnType<typeof useOwner>; error?: string }) {
  const { owner, setOwner, me, teams, isKnown } = state;
  return (
    <Field id="app-owner" label="Owner" error={error}>
      {(props) => (
        <Select {...props} value={owner} onChange={(e) => setOwner(e.target.value)} disabled={teams.isPending}>
          <option value={PERSONAL}>{me.data ? `Personal (${me.data.email})` : "Personal"}</option>
          {teams.data?.map((team) => (
            <option key={team.id} value={team.name}>
              Team: {team.name}
            </option>
          ))}
          {!teams.isPending && !isKnown && (
            <option value={owner} disabled>
              {owner} (not one of your teams)
            </option>
          )}
        </Select>
      )}
    </Field>
  );
}
