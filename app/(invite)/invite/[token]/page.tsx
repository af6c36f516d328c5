import type { Metadata } from "next";
import { getIdentity, getServerCaller } from "@/app/_server/session";
import { InviteCard } from "./_components/invite-card";

export const metadata: Metadata = { title: "Team invitation" };

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const caller = await getServerCaller();
  // A malformed token is just an invalid link, not an error page.
  const invitation = await caller.teams.invitations.preview({ token }).catch(() => ({ status: "invalid" as const }));
  const signedInAs = (await getIdentity()) ? (await caller.account.me()).email : null;
  return <InviteCard token={token} invitation={invitation} signedInAs={signedInAs} />;
}
