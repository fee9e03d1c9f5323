// API reference rendered from the same OpenAPI document /api/v1/openapi.json serves.
import { getOpenApiDocument } from "../../server/rest/openapi";

export const metadata = { title: "API reference · tickstream" };

interface Parameter {
  name: string;
  in: string;
  required: boolean;
  description?: string;
  schema: { type?: string; enum?: unknown[]; minimum?: number; maximum?: number; default?: unknown; pattern?: string };
}
interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  parameters?: Parameter[];
  security?: Record<string, string[]>[];
  responses: Record<string, { description: string }>;
}

function schemaText(schema: Parameter["schema"]): string {
  const parts: string[] = [];
  if (schema.enum) parts.push(schema.enum.map(String).join(" | "));
  else if (schema.type) parts.push(schema.type);
  if (schema.minimum !== undefined || schema.maximum !== undefined) parts.push(`${schema.minimum ?? ""}…${schema.maximum ?? ""}`);
  if (schema.default !== undefined) parts.push(`default ${JSON.stringify(schema.default)}`);
  return parts.join(", ");
}

export default function ApiDocsPage() {
  const doc = getOpenApiDocument() as { info: { title: string; description: string }; paths: Record<string, Record<string, Operation>> };
  const operations = Object.entries(doc.paths).flatMap(([path, byMethod]) =>
    Object.entries(byMethod).map(([method, op]) => ({ path, method, op })),
  );
  return (
    <>
      <h1 className="h3">{doc.info.title}</h1>
      <p className="text-body-secondary">
        {doc.info.description} Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI 3.1). The same procedures
        are available over tRPC at <code>/api/trpc</code>. Errors are <code>{`{ error: { code, message, retriable, fields } }`}</code>.
      </p>
      {operations.map(({ path, method, op }) => (
        <section key={`${method} ${path}`} className="card mb-3" data-testid="api-endpoint">
          <div className="card-header d-flex flex-wrap gap-2 align-items-center">
            <span className={`badge ${method === "get" ? "text-bg-primary" : "text-bg-success"}`}>{method.toUpperCase()}</span>
            <code className="text-break">/api/v1{path}</code>
            {op.security ? <span className="badge text-bg-warning">API key</span> : null}
            <span className="small text-body-secondary ms-auto">tRPC: {op.operationId}</span>
          </div>
          <div className="card-body py-2">
            <p className="mb-2">{op.summary}</p>
            {op.description ? <p className="small mb-2">{op.description}</p> : null}
            {op.parameters ? (
              <div className="table-responsive">
                <table className="table table-sm small mb-2">
                  <thead>
                    <tr>
                      <th scope="col">Parameter</th>
                      <th scope="col">In</th>
                      <th scope="col">Schema</th>
                      <th scope="col">Description</th>
                    </tr>
                  </thead>
                  <tbody>
                    {op.parameters.map((p) => (
                      <tr key={p.name}>
                        <td className="font-monospace text-nowrap">
                          {p.name}
                          {p.required ? " *" : ""}
                        </td>
                        <td>{p.in}</td>
                        <td className="font-monospace">{schemaText(p.schema)}</td>
                        <td>{p.description ?? ""}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : null}
            <p className="small text-body-secondary mb-0">
              Responses:{" "}
              {Object.entries(op.responses)
                .map(([status, r]) => `${status} ${r.description}`)
                .join(" · ")}
            </p>
          </div>
        </section>
      ))}
    </>
  );
}
