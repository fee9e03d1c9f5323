import { getAdminContext } from "../../../../server/admin/admin-context";
import { adminGet, adminMutation } from "../../../../server/admin/http";
import { listJobs } from "../../../../server/admin/jobs";
import { runJob } from "../../../../server/admin/run-job";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** GET /api/admin/jobs?state=active&start=0&limit=25 — a page of jobs in one state, newest first. */
export const GET = adminGet((query) => listJobs(getAdminContext(), query));

/** POST /api/admin/jobs — `{ name, data }`: run a batch job now; 400 names the invalid field (`data.day`). */
export const POST = adminMutation((body) => runJob(getAdminContext(), body), 201);
