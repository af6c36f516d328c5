"use client";

import { useMutation } from "@tanstack/react-query";
import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc-provider";
import { errorFor, formErrorOf } from "@/components/trpc-errors";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { FieldError } from "@/components/ui/field-error";
import { Input } from "@/components/ui/input";

/** Sign-up locked to the invited email: creating the account also joins the team. */
export function InviteSignupForm({ token, email, teamName }: { token: string; email: string; teamName: string }) {
  const trpc = useTRPC();
  const signUp = useMutation(trpc.teams.invitations.signUp.mutationOptions());
  const [signInError, setSignInError] = useState<string | null>(null);
  const [isSigningIn, setIsSigningIn] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const password = String(form.get("password") ?? "");
    const name = String(form.get("name") ?? "").trim();
    setSignInError(null);
    try {
      await signUp.mutateAsync({ token, password, name: name || undefined });
    } catch {
      return; // shown next to the fields from signUp.error
    }
    setIsSigningIn(true);
    const result = await signIn("credentials", { email, password, redirect: false });
    if (!result || result.error) {
      setIsSigningIn(false);
      setSignInError(`Your account was created and you joined ${teamName}, but signing in failed. Try signing in.`);
      return;
    }
    // A full load: the new session cookie must reach the server's first render of the team page.
    window.location.assign(`/teams/${encodeURIComponent(teamName)}`);
  }

  const isPending = signUp.isPending || isSigningIn;
  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <Field id="invite-signup-email" label="Email" hint="The invitation is for this email.">
        {(props) => <Input {...props} name="email" type="email" value={email} readOnly aria-readonly="true" autoComplete="username" />}
      </Field>
      <Field id="invite-signup-name" label={<>Name <span className="font-normal text-muted">(optional)</span></>}>
        {(props) => <Input {...props} name="name" autoComplete="name" />}
      </Field>
      <Field id="invite-signup-password" label="Password" hint="At least 8 characters." error={errorFor(signUp.error, "password")}>
        {(props) => <Input {...props} name="password" type="password" autoComplete="new-password" required minLength={8} />}
      </Field>
      <FieldError message={signInError ?? formErrorOf(signUp.error, ["password"])} />
      <Button type="submit" className="w-full" isPending={isPending}>
        {isPending ? "Creating account…" : `Create account and join`}
      </Button>
    </form>
  );
}
