import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { APP_ERRORS, AppError, errorBody, fieldName, toAppError, zodFieldErrors } from "./errors";

describe("AppError", () => {
  it("maps each code to one HTTP status and one tRPC code", () => {
    expect(new AppError("NOT_FOUND", { message: "x" })).toMatchObject({ status: 404, trpcCode: "NOT_FOUND", retriable: false });
    expect(new AppError("BAD_REQUEST", { message: "x" }).status).toBe(400);
    expect(new AppError("UNAVAILABLE", { message: "x" })).toMatchObject({ status: 503, trpcCode: "SERVICE_UNAVAILABLE", retriable: true });
    expect(Object.values(APP_ERRORS).map((e) => e.status)).toEqual([400, 404, 503, 500, 401, 413, 415, 405, 429]);
  });

  it("flattens zod issues into field errors, nested paths joined by dots", () => {
    const schema = z.object({ limit: z.number().max(5), range: z.object({ from: z.number() }) });
    const result = schema.safeParse({ limit: 9, range: { from: "a" } });
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(Object.keys(zodFieldErrors(result.error))).toEqual(["limit", "range.from"]);
    const error = toAppError(result.error);
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toBe("invalid limit, range.from");
    expect(errorBody(error).error.fields?.limit?.[0]).toMatch(/5/);
  });

  it("names array elements by index in brackets", () => {
    const result = z.array(z.strictObject({ price: z.number().positive() })).safeParse([{ price: 1 }, { price: -1, size: 2 }]);
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(zodFieldErrors(result.error)).toEqual({ "[1].price": [expect.any(String)], "[1]": [expect.stringMatching(/size/)] });
    expect(fieldName(["legs", 0, "price"])).toBe("legs[0].price");
  });

  it("unwraps a TRPCError caused by an AppError or a ZodError", () => {
    const notFound = new AppError("NOT_FOUND", { message: "unknown symbol X" });
    expect(toAppError(new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: notFound }))).toBe(notFound);
    expect(toAppError(new TRPCError({ code: "TIMEOUT", message: "slow" })).code).toBe("INTERNAL");
    expect(toAppError(new TRPCError({ code: "NOT_FOUND", message: "gone" })).code).toBe("NOT_FOUND");
  });

  it("treats a driver's no-host error as retriable unavailability and anything else as an opaque 500", () => {
    const noHost = Object.assign(new Error("All host(s) tried for query failed"), { name: "NoHostAvailableError" });
    expect(toAppError(noHost)).toMatchObject({ code: "UNAVAILABLE", retriable: true });
    const bug = toAppError(new TypeError("x is undefined"));
    expect(bug).toMatchObject({ code: "INTERNAL", message: "internal error", retriable: false });
  });

  it("keeps the code of an AppError thrown by another copy of this module, and nothing else named so", () => {
    const foreign = Object.assign(new Error("the market database is unavailable"), {
      name: "AppError",
      code: "UNAVAILABLE",
      retriable: true,
      fields: undefined,
    });
    expect(toAppError(foreign)).toMatchObject({
      code: "UNAVAILABLE",
      retriable: true,
      status: 503,
      message: "the market database is unavailable",
    });
    const impostor = Object.assign(new Error("x"), { name: "AppError", code: "TEAPOT", retriable: true });
    expect(toAppError(impostor)).toMatchObject({ code: "INTERNAL", message: "internal error" });
  });
});
