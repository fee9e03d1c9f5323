import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { adminTokenSource } from "../../../server/admin/login-routes";
import { LoginForm } from "../components/login-form";
import { hasAdminSession } from "../require-admin";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Admin login · tickstream" };

const HINTS = {
  env: "The token is the value of ADMIN_TOKEN.",
  "dev-default": "Development: the token is dev-admin-token unless ADMIN_TOKEN is set.",
  "generated-file":
    "ADMIN_TOKEN is not set: the token was generated into the file admin-token in the data directory (TICKSTREAM_DATA_DIR, default .data).",
} as const;

export default async function AdminLoginPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  // Only a path of the console itself: never an open redirect.
  const target = typeof next === "string" && /^\/admin(\/[\w\-/]*)?$/.test(next) ? next : "/admin/jobs";
  if (await hasAdminSession()) redirect(target);
  return (
    <div className="row justify-content-center">
      <div className="col-12 col-sm-8 col-md-6 col-lg-4">
        <h1 className="h4">Admin console</h1>
        <LoginForm next={target} />
        <p className="small text-body-secondary mt-3">{HINTS[adminTokenSource()]}</p>
      </div>
    </div>
  );
}
