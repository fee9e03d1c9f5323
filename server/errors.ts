// The one error type of the web API and the one map from its code to an HTTP status and a tRPC
// code; tRPC's errorFormatter and the REST error helper both go through toAppError().
import { TRPCError } from "@trpc/server";
import { z } from "zod";

export const APP_ERRORS = {
  BAD_REQUEST: { status: 400, trpc: "BAD_REQUEST" },
  NOT_FOUND: { status: 404, trpc: "NOT_FOUND" },
  UNAVAILABLE: { status: 503, trpc: "SERVICE_UNAVAILABLE" },
  INTERNAL: { status: 500, trpc: "INTERNAL_SERVER_ERROR" },
  UNAUTHORIZED: { status: 401, trpc: "UNAUTHORIZED" },
  PAYLOAD_TOO_LARGE: { status: 413, trpc: "PAYLOAD_TOO_LARGE" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, trpc: "UNSUPPORTED_MEDIA_TYPE" },
  METHOD_NOT_ALLOWED: { status: 405, trpc: "METHOD_NOT_SUPPORTED" },
  TOO_MANY_REQUESTS: { status: 429, trpc: "TOO_MANY_REQUESTS" },
} as const satisfies Record<string, { status: number; trpc: TRPCError["code"] }>;

export type AppErrorCode = keyof typeof APP_ERRORS;

/** Field name → messages; "" holds messages about the input as a whole. */
export type FieldErrors = Record<string, string[]>;

export interface AppErrorOptions {
  message: string;
  /** True when the same request may succeed later (a server was down), false when it never will. */
  retriable?: boolean;
  fields?: FieldErrors;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly retriable: boolean;
  readonly fields: FieldErrors | undefined;

  constructor(code: AppErrorCode, options: AppErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.retriable = options.retriable ?? code === "UNAVAILABLE";
    this.fields = options.fields;
  }

  get status(): number {
    return APP_ERRORS[this.code].status;
  }

  get trpcCode(): TRPCError["code"] {
    return APP_ERRORS[this.code].trpc;
  }
}

/** A zod issue path as a field name: object keys joined by dots, array indexes in brackets (`[3].price`). */
export function fieldName(path: readonly PropertyKey[]): string {
  let name = "";
  for (const segment of path) {
    if (typeof segment === "number") name += `[${segment}]`;
    else name += name === "" ? String(segment) : `.${String(segment)}`;
  }
  return name;
}

/** Flattens a zod error into `{ field: [messages] }` (see fieldName). */
export function zodFieldErrors(error: z.ZodError): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of error.issues) {
    (fields[fieldName(issue.path)] ??= []).push(issue.message);
  }
  return fields;
}

export function fromZodError(error: z.ZodError): AppError {
  const fields = zodFieldErrors(error);
  const names = Object.keys(fields).filter(Boolean);
  const message = names.length > 0 ? `invalid ${names.join(", ")}` : (fields[""]?.[0] ?? "invalid input");
  return new AppError("BAD_REQUEST", { message, fields, retriable: false, cause: error });
}

// cassandra-driver errors that mean "the database is not reachable right now".
const UNAVAILABLE_ERROR_NAMES = new Set(["NoHostAvailableError", "OperationTimedOutError", "BusyConnectionError"]);

/** Maps anything thrown (AppError, ZodError, TRPCError, driver errors) onto an AppError. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  // The custom web server and Next's bundle each load their own copy of this module, so an
  // AppError thrown by one copy is not an instance of the other's class: recognise it by shape.
  if (isForeignAppError(error)) {
    return new AppError(error.code, { message: error.message, retriable: error.retriable, fields: error.fields, cause: error.cause });
  }
  if (error instanceof z.ZodError) return fromZodError(error);
  if (error instanceof TRPCError) {
    if (error.cause !== undefined && (error.cause instanceof AppError || error.cause instanceof z.ZodError)) {
      return toAppError(error.cause);
    }
    const code = (Object.keys(APP_ERRORS) as AppErrorCode[]).find((key) => APP_ERRORS[key].trpc === error.code);
    return new AppError(code ?? "INTERNAL", { message: error.message, cause: error });
  }
  if (error instanceof Error && (UNAVAILABLE_ERROR_NAMES.has(error.name) || isDriverUnavailable(error))) {
    return new AppError("UNAVAILABLE", { message: "the market database is unavailable", retriable: true, cause: error });
  }
  return new AppError("INTERNAL", { message: "internal error", retriable: false, cause: error });
}

function isForeignAppError(error: unknown): error is Error & { code: AppErrorCode; retriable: boolean; fields: FieldErrors | undefined } {
  if (!(error instanceof Error) || error.name !== "AppError") return false;
  const { code, retriable } = error as { code?: unknown; retriable?: unknown };
  return typeof code === "string" && Object.hasOwn(APP_ERRORS, code) && typeof retriable === "boolean";
}

function isDriverUnavailable(error: Error): boolean {
  // ResponseError codes 0x1000 (Unavailable), 0x1100/0x1200 (write/read timeout).
  const code = (error as { code?: unknown }).code;
  return error.name === "ResponseError" && (code === 0x1000 || code === 0x1100 || code === 0x1200);
}

/** The JSON body of every REST error. */
export interface ErrorBody {
  error: { code: AppErrorCode; message: string; retriable: boolean; fields?: FieldErrors };
}

export function errorBody(error: AppError): ErrorBody {
  return {
    error: {
      code: error.code,
      message: error.message,
      retriable: error.retriable,
      ...(error.fields ? { fields: error.fields } : {}),
    },
  };
}

export const errorBodySchema = z.object({
  error: z.object({
    code: z.enum(Object.keys(APP_ERRORS) as [AppErrorCode, ...AppErrorCode[]]),
    message: z.string(),
    retriable: z.boolean(),
    fields: z.record(z.string(), z.array(z.string())).optional(),
  }),
});
