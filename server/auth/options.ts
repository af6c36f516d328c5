import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsModule from "next-auth/providers/credentials";
import { clientIp, withOrigin } from "@/server/audit/origin";
import { RATE_LIMITED_ERROR_PREFIX } from "@/server/auth/lockout-message";
import { signInWithPassword } from "@/server/auth/sign-in";
import { deriveKey } from "@/server/crypto";
import { AppError } from "@/server/errors";

/** A dashboard session lasts this long after its last use (each visit renews the cookie). */
// Plain Node ESM (the benches run under tsx) hands over the CommonJS module object rather than its
// default export; Next.js and Vitest unwrap it themselves.
const CredentialsProvider =
  (CredentialsModule as unknown as { default?: typeof CredentialsModule }).default ?? CredentialsModule;

export const SESSION_MAX_AGE_SECONDS = 7 * 24 * 60 * 60;

export type SessionClaims = { id?: string; generation?: number };

export const authOptions: NextAuthOptions = {
  // Credentials sign-in requires JWT sessions in next-auth v4; they are revocable through
  // the user's session generation (server/auth/sessions.ts).
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
  secret: deriveKey("nextauth").toString("hex"),
  pages: { signIn: "/login" },
  providers: [
    CredentialsProvider({
      name: "Email",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, req) {
        if (!credentials?.email || !credentials.password) return null;
        const ip = clientIp(req.headers ?? {});
        try {
          const user = await withOrigin({ userId: null, via: "dashboard", ip }, () =>
            signInWithPassword({ email: credentials.email, password: credentials.password, ip }),
          );
          return user ? { id: user.id, email: user.email, name: user.name, generation: user.sessionGeneration } : null;
        } catch (err) {
          // next-auth passes a thrown message on in its answer's URL; app/api/auth turns
          // this one into 429 + Retry-After.
          if (err instanceof AppError && err.code === "RATE_LIMITED") throw new Error(`${RATE_LIMITED_ERROR_PREFIX}${err.details?.retryAfterSeconds ?? 60}`);
          throw err;
        }
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        token.sub = user.id;
        token.generation = (user as { generation?: number }).generation ?? 0;
      }
      return token;
    },
    session({ session, token }) {
      if (session.user && token.sub) {
        const claims = session.user as SessionClaims;
        claims.id = token.sub;
        claims.generation = typeof token.generation === "number" ? token.generation : 0;
      }
      return session;
    },
  },
};
