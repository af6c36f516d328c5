// A minimal WebSocket client's framing (RFC 6455) for router tests: `ws` is not a
// dependency, and these few lines are all a test needs to prove frames pass intact.
import crypto from "node:crypto";

export type Frame = { opcode: number; payload: Buffer };

/** A client's WebSocket frame: final, masked (RFC 6455 requires clients to mask). */
export function wsFrame(opcode: number, payload: Buffer): Buffer {
  const mask = crypto.randomBytes(4);
  const n = payload.length;
  const len = n < 126 ? Buffer.from([0x80 | n]) : n < 65536 ? Buffer.from([0x80 | 126, n >> 8, n & 0xff]) : Buffer.concat([Buffer.from([0x80 | 127]), Buffer.alloc(4), Buffer.from([n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff])]);
  return Buffer.concat([Buffer.from([0x80 | opcode]), len, mask, Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!))]);
}

/** The complete server frames (unmasked, as servers send them) at the start of `buf`. */
export function readFrames(buf: Buffer): Frame[] {
  const frames: Frame[] = [];
  let at = 0;
  while (buf.length - at >= 2) {
    const opcode = buf[at]! & 0x0f;
    let n = buf[at + 1]! & 0x7f;
    let start = at + 2;
    if (n === 126) [n, start] = [buf.length >= at + 4 ? buf.readUInt16BE(at + 2) : Infinity, at + 4];
    else if (n === 127) [n, start] = [buf.length >= at + 10 ? Number(buf.readBigUInt64BE(at + 2)) : Infinity, at + 10];
    if (buf.length < start + n) break;
    frames.push({ opcode, payload: buf.subarray(start, start + n) });
    at = start + n;
  }
  return frames;
}
