import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { crcAppend, crcShiftOperator, deflatePiece, deflatePieceSync, gzipOfPieces } from "./gzip-pieces";

describe("gzip from pieces compressed apart", () => {
  it("combines CRC-32s exactly as a pass over the joined bytes", () => {
    const a = Buffer.from("hello, ");
    const b = Buffer.from("x".repeat(70_001) + "tail");
    const shift = crcShiftOperator(b.length);
    expect(crcAppend(zlib.crc32(a), { crc: zlib.crc32(b), shift })).toBe(zlib.crc32(Buffer.concat([a, b])));
    expect(crcAppend(0, { crc: zlib.crc32(b), shift })).toBe(zlib.crc32(b));
    expect(crcAppend(zlib.crc32(a), { crc: 0, shift: crcShiftOperator(0) })).toBe(zlib.crc32(a));
  });

  it("makes one gzip member that any gunzip reads as the pieces in order", async () => {
    const texts = [
      "[",
      JSON.stringify({ result: { data: { candles: Array.from({ length: 500 }, (_, i) => ({ t: i, c: 100 + i / 7 })) } } }),
      ",",
      '{"result":{"data":null}}',
      "]",
    ];
    const pieces = await Promise.all(
      texts.map((text) => (text.length === 1 ? Promise.resolve(deflatePieceSync(Buffer.from(text))) : deflatePiece(Buffer.from(text)))),
    );
    const gzipped = gzipOfPieces(pieces);
    expect(zlib.gunzipSync(gzipped).toString()).toBe(texts.join(""));
    // Compressed, not stored: the candles compress well.
    expect(gzipped.length).toBeLessThan(texts.join("").length / 3);
    // The same pieces in another order, reused: another valid member.
    expect(zlib.gunzipSync(gzipOfPieces([pieces[0], pieces[3], pieces[4]].filter((p) => p !== undefined))).toString()).toBe(
      '[{"result":{"data":null}}]',
    );
  });

  it("handles an empty piece", () => {
    expect(zlib.gunzipSync(gzipOfPieces([deflatePieceSync(Buffer.alloc(0)), deflatePieceSync(Buffer.from("ok"))])).toString()).toBe("ok");
  });
});
