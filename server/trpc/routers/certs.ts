import "server-only";
import { z } from "zod";
import { addSniEndpoint, getHttpsSettings, listSniEndpoints, removeSniEndpoint, setHttpsSettings, updateSniEndpoint } from "@/server/services/certificates";
import { setAcm } from "@/server/services/acme";
import { appProcedure, router } from "@/server/trpc/procedures";

// Settings → SSL certificates: uploaded certificates and the app's HTTPS settings. No
// answer ever carries a private key.
const pem = z.string().max(65_536);

export const certsRouter = router({
  list: appProcedure("certs:list").query(({ ctx }) => listSniEndpoints(ctx.app.id)),
  add: appProcedure("certs:write")
    .input(z.object({ certificateChain: pem, privateKey: pem }))
    .mutation(({ ctx, input }) => addSniEndpoint({ appId: ctx.app.id, userId: ctx.userId, ...input })),
  update: appProcedure("certs:write")
    .input(z.object({ name: z.string().min(1).max(200), certificateChain: pem, privateKey: pem }))
    .mutation(({ ctx, input }) => updateSniEndpoint({ appId: ctx.app.id, userId: ctx.userId, nameOrId: input.name, certificateChain: input.certificateChain, privateKey: input.privateKey })),
  remove: appProcedure("certs:write")
    .input(z.object({ name: z.string().min(1).max(200) }))
    .mutation(({ ctx, input }) => removeSniEndpoint({ appId: ctx.app.id, userId: ctx.userId, nameOrId: input.name })),
  /** HTTPS at the router: redirect plain HTTP (308) and send HSTS. */
  https: appProcedure("certs:list").query(({ ctx }) => getHttpsSettings(ctx.app.id)),
  setHttps: appProcedure("certs:write")
    .input(z.object({ sslRedirect: z.boolean().optional(), hsts: z.boolean().optional() }))
    .mutation(({ ctx, input }) => setHttpsSettings({ appId: ctx.app.id, userId: ctx.userId, ...input })),
  /** Automated certificate management (ACME) for the app's custom domains. */
  setAcm: appProcedure("certs:write")
    .input(z.object({ acm: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      await setAcm({ appId: ctx.app.id, userId: ctx.userId, acm: input.acm });
      return getHttpsSettings(ctx.app.id);
    }),
});
