// A gzip body assembled from pieces compressed once each: a tRPC batch answer is "[" + item + "," +
// item + "]", where each item is the same bytes for every caller of a shared read. Each piece is
// raw deflate ending in a sync flush (byte-aligned, not final), so pieces concatenate into one
// valid deflate stream (RFC 1951: blocks are independent; a fresh compressor per piece makes no
// back-reference across pieces); the member ends with an empty final block and the CRC-32 and length
// of the whole (RFC 1952). The CRC of the whole is combined from the pieces' CRCs with each piece's
// precomputed "shift by its length" operator over GF(2) (zlib's crc32_combine, split so the
// per-request part is 32 XORs per piece instead of a pass over the bytes).
import { promisify } from "node:util";
import zlib from "node:zlib";

const deflateRaw = promisify(zlib.deflateRaw);

/** One piece: its raw deflate bytes (sync-flushed), CRC-32 and length of its plain bytes. */
export interface DeflatedPiece {
  deflated: Buffer;
  crc: number;
  length: number;
  /** The operator that advances a CRC over `length` bytes (a 32×32 bit matrix, one column per entry). */
  shift: Uint32Array;
}

// gzip header: magic, deflate, no flags, no mtime, no extra flags, OS = Unix (as zlib writes it).
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03]);
// An empty fixed-Huffman block with BFINAL set: ends the deflate stream.
const FINAL_EMPTY_BLOCK = Buffer.from([0x03, 0x00]);

function matrixTimes(matrix: Uint32Array, vector: number): number {
  let sum = 0;
  for (let i = 0, v = vector >>> 0; v !== 0; i++, v >>>= 1) if (v & 1) sum ^= matrix[i] as number;
  return sum >>> 0;
}

function matrixSquare(square: Uint32Array, matrix: Uint32Array): void {
  for (let n = 0; n < 32; n++) square[n] = matrixTimes(matrix, matrix[n] as number);
}

function identity(): Uint32Array {
  const matrix = new Uint32Array(32);
  for (let n = 0; n < 32; n++) matrix[n] = (1 << n) >>> 0;
  return matrix;
}

function multiply(a: Uint32Array, b: Uint32Array): Uint32Array {
  // (a·b)·v = a·(b·v): column n of the product is a applied to column n of b.
  const product = new Uint32Array(32);
  for (let n = 0; n < 32; n++) product[n] = matrixTimes(a, b[n] as number);
  return product;
}

/** The operator that advances a CRC-32 over `length` zero bytes (zlib's crc32_combine, as a matrix). */
export function crcShiftOperator(length: number): Uint32Array {
  let result = identity();
  if (length <= 0) return result;
  // One zero bit: the CRC-32 polynomial step; squared three times: one zero byte.
  let power = new Uint32Array(32);
  power[0] = 0xedb88320;
  for (let n = 1; n < 32; n++) power[n] = (1 << (n - 1)) >>> 0;
  for (let i = 0; i < 3; i++) {
    const square = new Uint32Array(32);
    matrixSquare(square, power);
    power = square;
  }
  for (let remaining = length; remaining > 0; remaining = Math.floor(remaining / 2)) {
    if (remaining % 2 === 1) result = multiply(power, result);
    const square = new Uint32Array(32);
    matrixSquare(square, power);
    power = square;
  }
  return result;
}

/** CRC-32 of A followed by B, from crc(A) and B's piece. */
export function crcAppend(crcBefore: number, piece: Pick<DeflatedPiece, "crc" | "shift">): number {
  return (matrixTimes(piece.shift, crcBefore) ^ piece.crc) >>> 0;
}

/** Compresses `bytes` as a piece (raw deflate, sync flush). */
export async function deflatePiece(bytes: Buffer): Promise<DeflatedPiece> {
  const deflated = await deflateRaw(bytes, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return { deflated, crc: zlib.crc32(bytes), length: bytes.length, shift: crcShiftOperator(bytes.length) };
}

/** The same, synchronously: for small constant pieces made once at start. */
export function deflatePieceSync(bytes: Buffer): DeflatedPiece {
  const deflated = zlib.deflateRawSync(bytes, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return { deflated, crc: zlib.crc32(bytes), length: bytes.length, shift: crcShiftOperator(bytes.length) };
}

/** One gzip member whose content is the pieces' plain bytes in order. */
export function gzipOfPieces(pieces: readonly DeflatedPiece[]): Buffer {
  let crc = 0;
  let length = 0;
  const parts: Buffer[] = [GZIP_HEADER];
  for (const piece of pieces) {
    parts.push(piece.deflated);
    crc = crcAppend(crc, piece);
    length += piece.length;
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc, 0);
  // ISIZE is the length modulo 2^32.
  trailer.writeUInt32LE(length % 2 ** 32, 4);
  parts.push(FINAL_EMPTY_BLOCK, trailer);
  return Buffer.concat(parts);
}
