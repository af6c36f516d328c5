import type { Metadata } from "next";
import { SetupProgress } from "./_components/setup-progress";

export const metadata: Metadata = { title: "App setup" };

export default async function AppSetupPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <SetupProgress setupId={decodeURIComponent(id)} />;
}
