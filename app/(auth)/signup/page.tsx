import type { Metadata } from "next";
import Link from "next/link";
import { Card, CardContent } from "@/components/ui/card";
import { isSignUpOpen, SIGN_UP_CLOSED } from "@/server/services/users";
import { SignupForm } from "./_components/signup-form";

export const metadata: Metadata = { title: "Create your account" };
// SLIPWAY_SIGNUP is read when the page is asked for, not when it is built.
export const dynamic = "force-dynamic";

export default function SignupPage() {
  if (isSignUpOpen()) return <SignupForm />;
  return (
    <Card>
      <CardContent className="space-y-4 py-6 sm:px-6">
        <h1 className="text-xl font-semibold text-fg">Sign-up is closed</h1>
        <p className="text-sm text-muted">{SIGN_UP_CLOSED} Their invitation link creates your account.</p>
        <p className="text-sm text-muted">
          Already have an account?{" "}
          <Link href="/login" className="font-medium text-link hover:underline">
            Sign in
          </Link>
        </p>
      </CardContent>
    </Card>
  );
}
