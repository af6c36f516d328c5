"use client";

import { deniedReason } from "@/components/app-permissions";
import { Card, CardHeader } from "@/components/ui/card";
import { AddCollaboratorForm } from "./add-collaborator-form";
import { CollaboratorRow } from "./collaborator-row";
import type { AccessDetails } from "./types";

export function CollaboratorsCard({ access }: { access: AccessDetails }) {
  const { app, viewer } = access;
  const manageReason = deniedReason(viewer.permissions, "access:write");
  const description = app.isTeamApp
    ? `Admins of ${app.team?.name} have every permission. Members get the team's defaults (${access.teamDefaults?.join(", ")})${
        app.locked ? " — not on this app, which is locked" : ""
      }, plus what is granted here; viewers can only look.`
    : `${app.owner?.email ?? "The owner"} owns this app. Collaborators can see it, deploy and operate it; only the owner manages access, domains and transfer.`;

  return (
    <Card id="collaborators" aria-labelledby="collaborators-title" className="scroll-mt-24">
      <CardHeader titleId="collaborators-title" title={app.isTeamApp ? "Members and collaborators" : "Collaborators"} description={description} />
      <div aria-hidden="true" className="hidden grid-cols-[minmax(0,1fr)_auto_6.5rem] gap-3 border-b border-border bg-surface-muted px-5 py-2 text-xs font-medium tracking-wide text-muted uppercase md:grid">
        <span>Person</span>
        <span>Permissions</span>
        <span />
      </div>
      <ul aria-label="People with access" className="divide-y divide-border">
        {access.entries.map((entry) => (
          <CollaboratorRow key={entry.userId} entry={entry} access={access} manageReason={manageReason} />
        ))}
      </ul>
      <div className="border-t border-border">
        <AddCollaboratorForm access={access} manageReason={manageReason} />
      </div>
    </Card>
  );
}
