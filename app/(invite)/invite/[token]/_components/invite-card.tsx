"use client";

import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { signOut } from "next-auth/react";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { Button, buttonClasses } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { FieldError } from "@/components/ui/field-error";
import { formatDateTime } from "@/components/format";
import { InviteSignupForm } from "./invite-signup-form";

export type InvitationPreview =
  | { status: "invalid" }
  | { status: "pending" | "expired" | "revoked" | "accepted"; email: string; role: string; teamName: string; expiresAt: Date; invitedBy: string | null; hasAccount: boolean };

const UNUSABLE = {
  invalid: ["Invitation not found", "This invitation link is not valid. Check that you copied all of it, or ask a team admin for a new one."],
  expired: ["Invitation expired", "Invitations last 7 days. Ask a team admin to invite you again."],
  revoked: ["Invitation revoked", "A team admin revoked this invitation. Ask them to invite you again if that was a mistake."],
  accepted: ["Invitation already used", "Each invitation link works once. If you joined, the team is in the switcher at the top of your dashboard."],
} as const;

function Shell({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Card>
      <CardContent className="space-y-5 py-6 sm:px-6">
        <h1 className="text-xl font-semibold text-fg">{title}</h1>
        {children}
      </CardContent>
    </Card>
  );
}

export function InviteCard({ token, invitation, signedInAs }: { token: string; invitation: InvitationPreview; signedInAs: string | null }) {
  const trpc = useTRPC();
  const router = useRouter();
  const accept = useMutation(trpc.teams.invitations.accept.mutationOptions({ onSuccess: (r) => router.push(`/teams/${encodeURIComponent(r.teamName)}`) }));
  const here = `/invite/${token}`;

  if (invitation.status !== "pending") {
    const [title, text] = UNUSABLE[invitation.status];
    return (
      <Shell title={title}>
        <p className="text-sm text-muted">{text}</p>
        <Link href={signedInAs ? "/apps" : "/login"} className={buttonClasses({ variant: "secondary", className: "w-full" })}>
          {signedInAs ? "Go to your apps" : "Sign in"}
        </Link>
      </Shell>
    );
  }

  const intro = (
    <p className="text-sm text-muted">
      {invitation.invitedBy ?? "A team admin"} invited <span className="font-medium text-fg">{invitation.email}</span> to join{" "}
      <span className="font-medium text-fg">{invitation.teamName}</span> as <span className="font-medium text-fg">{invitation.role}</span>. The
      link works until {formatDateTime(new Date(invitation.expiresAt))}.
    </p>
  );

  if (signedInAs === invitation.email) {
    return (
      <Shell title={`Join ${invitation.teamName}`}>
        {intro}
        <FieldError message={accept.error ? messageOf(accept.error) : null} />
        <Button className="w-full" isPending={accept.isPending || accept.isSuccess} onClick={() => accept.mutate({ token })}>
          Join {invitation.teamName}
        </Button>
      </Shell>
    );
  }

  if (signedInAs) {
    return (
      <Shell title="Wrong account">
        {intro}
        <p className="text-sm text-muted">
          You are signed in as <span className="font-medium text-fg">{signedInAs}</span>. Sign out, then open the link again and sign in or sign up as{" "}
          {invitation.email}.
        </p>
        <Button variant="secondary" className="w-full" onClick={() => signOut({ callbackUrl: here })}>
          Sign out
        </Button>
      </Shell>
    );
  }

  const signInLink = `/login?callbackUrl=${encodeURIComponent(here)}`;
  return (
    <Shell title={`Join ${invitation.teamName}`}>
      {intro}
      {invitation.hasAccount ? (
        <>
          <p className="text-sm text-muted">Sign in as {invitation.email} and you will come back here to join.</p>
          <Link href={signInLink} className={buttonClasses({ className: "w-full" })}>
            Sign in to join
          </Link>
        </>
      ) : (
        <>
          <InviteSignupForm token={token} email={invitation.email} teamName={invitation.teamName} />
          <p className="text-center text-sm text-muted">
            Already have an account?{" "}
            <Link href={signInLink} className="font-medium text-link hover:underline">
              Sign in
            </Link>
          </p>
        </>
      )}
    </Shell>
  );
}
