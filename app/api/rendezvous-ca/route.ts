import { rendezvousCert } from "@/server/rendezvous/ca";
import { rendezvousHost } from "@/server/rendezvous/server";

export const dynamic = "force-dynamic";

// The CA that signs the rendezvous server's certificate (heroku run), as PEM: public by
// nature. Users save it and point NODE_EXTRA_CA_CERTS at it; the same file is
// $SLIPWAY_DATA_DIR/rendezvous/ca.crt on the host. Made here if the server has not yet.
export async function GET() {
  const { ca } = await rendezvousCert([rendezvousHost(), "localhost", "127.0.0.1"]);
  return new Response(ca, { headers: { "Content-Type": "application/x-pem-file", "Content-Disposition": 'attachment; filename="slipway-rendezvous-ca.pem"', "Cache-Control": "no-store" } });
}
