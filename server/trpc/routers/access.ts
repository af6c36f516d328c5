import "server-only";
import { z } from "zod";
import { addCollaborator, joinApp, listAppAccess, permissionListSchema, removeCollaborator, setAppLocked, updateCollaborator } from "@/server/services/collaborators";
import { listTransfers, respondToTransfer, transferApp } from "@/server/services/transfers";
import { appProcedure, protectedProcedure, router } from "@/server/trpc/procedures";

// The Access tab: who can use an app and what they may do, locking, and transfers.
// Access checks are the procedures' (appProcedure); the services apply Heroku's rules.

const userInput = z.string().trim().min(1).max(254);

export const accessRouter = router({
  list: appProcedure("access:list").query(async ({ ctx }) => {
    const { entries, teamDefaults } = await listAppAccess(ctx.app);
    const outgoing = (await listTransfers({ userId: ctx.userId })).filter((t) => t.app.id === ctx.app.id);
    return {
      app: { name: ctx.app.name, owner: ctx.app.owner, team: ctx.app.team, locked: ctx.app.locked, isTeamApp: ctx.app.teamId !== null },
      viewer: { userId: ctx.userId, permissions: ctx.app.permissions, teamRole: ctx.app.teamRole },
      entries,
      teamDefaults,
      pendingTransfers: outgoing,
    };
  }),
  add: appProcedure("access:write")
    .input(z.object({ email: userInput, permissions: permissionListSchema.nullish() }))
    .mutation(({ ctx, input }) => addCollaborator({ app: ctx.app, email: input.email, permissions: input.permissions })),
  update: appProcedure("access:write")
    .input(z.object({ user: userInput, permissions: permissionListSchema }))
    .mutation(({ ctx, input }) => updateCollaborator({ app: ctx.app, user: input.user, permissions: input.permissions })),
  remove: appProcedure("access:write")
    .input(z.object({ user: userInput }))
    .mutation(({ ctx, input }) => removeCollaborator({ app: ctx.app, actorUserId: ctx.userId, user: input.user })),
  /** `apps:leave`: anyone who can see the app removes their own grant. */
  leave: appProcedure("app:leave").mutation(({ ctx }) => removeCollaborator({ app: ctx.app, actorUserId: ctx.userId, user: ctx.userId })),
  /** `apps:join`: the service finds the app among the caller's teams' apps (a locked one refuses). */
  join: protectedProcedure
    .input(z.object({ app: z.string().min(1).max(64) }))
    .mutation(async ({ ctx, input }) => (await joinApp({ userId: ctx.userId, app: input.app })).grant),
  lock: appProcedure("app:lock")
    .input(z.object({ locked: z.boolean() }))
    .mutation(({ ctx, input }) => setAppLocked({ app: ctx.app, locked: input.locked })),
  transfer: appProcedure("app:transfer")
    .input(z.object({ recipient: z.string().trim().min(1, "Enter a team name or an email address.").max(254) }))
    .mutation(({ ctx, input }) => transferApp({ app: ctx.app, actorUserId: ctx.userId, recipient: input.recipient })),
  /** Pending transfers the caller sent or received (shown on /apps to the recipient). */
  transfers: protectedProcedure.query(async ({ ctx }) => {
    const all = await listTransfers({ userId: ctx.userId });
    return { incoming: all.filter((t) => t.recipientId === ctx.userId), outgoing: all.filter((t) => t.senderId === ctx.userId) };
  }),
  respond: protectedProcedure
    .input(z.object({ transfer: z.string().min(1).max(64), state: z.enum(["accepted", "declined"]) }))
    .mutation(({ ctx, input }) => respondToTransfer({ userId: ctx.userId, transfer: input.transfer, state: input.state })),
});
