import { getOpenApiDocument } from "../../../../server/rest/openapi";

/** GET /api/v1/openapi.json — the OpenAPI 3.1 document of this API. */
export function GET(): Response {
  return Response.json(getOpenApiDocument(), { headers: { "cache-control": "public, max-age=300" } });
}
