import type { SwallowedChunk } from '../../fault-proxy/proxy-connection.ts';

/** A WebSocket frame header seen in a byte stream, with when its first byte arrived. */
export interface SeenFrame {
  opcode: number;
  monoMs: number;
}

export const OPCODE = { close: 0x8, ping: 0x9, pong: 0xa } as const;

/**
 * The frame headers in a stream of WebSocket bytes that starts at a frame boundary (RFC 6455 §5.2:
 * opcode, mask bit, 7/16/64-bit payload length, optional 4-byte mask). Only the headers are read,
 * so compressed payloads (permessage-deflate) do not matter; a header that does not parse ends
 * the scan. Used on what a black hole swallowed, to see when a subject sent a close frame into it.
 */
export function scanFrames(chunks: readonly SwallowedChunk[]): SeenFrame[] {
  const frames: SeenFrame[] = [];
  const data = Buffer.concat(chunks.map((chunk) => chunk.bytes));
  const arrivals: number[] = [];
  let offset = 0;
  for (const chunk of chunks) {
    arrivals.push(offset);
    offset += chunk.bytes.length;
  }
  const timeAt = (position: number): number => {
    let index = 0;
    while (index + 1 < arrivals.length && (arrivals[index + 1] as number) <= position) index += 1;
    return (chunks[index] as SwallowedChunk).monoMs;
  };
  let at = 0;
  while (at + 2 <= data.length) {
    const first = data[at] as number;
    const second = data[at + 1] as number;
    const opcode = first & 0x0f;
    if (![0x0, 0x1, 0x2, 0x8, 0x9, 0xa].includes(opcode)) break;
    let length = second & 0x7f;
    let header = 2;
    if (length === 126) {
      if (at + 4 > data.length) break;
      length = data.readUInt16BE(at + 2);
      header = 4;
    } else if (length === 127) {
      if (at + 10 > data.length) break;
      length = Number(data.readBigUInt64BE(at + 2));
      header = 10;
    }
    if (second & 0x80) header += 4;
    frames.push({ opcode, monoMs: timeAt(at) });
    at += header + length;
  }
  return frames;
}

/** When the first frame with `opcode` went into the black hole, if one did. */
export function firstFrame(chunks: readonly SwallowedChunk[], opcode: number): number | undefined {
  return scanFrames(chunks).find((frame) => frame.opcode === opcode)?.monoMs;
}
