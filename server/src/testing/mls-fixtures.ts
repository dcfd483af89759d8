import { randomBytes } from 'node:crypto';

/**
 * An MLS PrivateMessage (RFC 9420 §6.3.1) as it goes on the wire: version
 * mls10, wire format mls_private_message, group_id<V>, epoch, content_type,
 * then what the delivery service never reads (authenticated data, sender
 * data, ciphertext), here `padding` random bytes.
 */
export function privateMessage(
  groupId: Buffer,
  epoch: number | bigint,
  { version = 1, wireformat = 2, contentType = 3, padding = 48 } = {},
): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(version, 0);
  head.writeUInt16BE(wireformat, 2);
  // RFC 9000 variable-length integer: one byte up to 63, two bytes (0b01 prefix) up to 16383.
  const length = groupId.length < 64 ? Buffer.from([groupId.length]) : Buffer.from([0x40 | (groupId.length >> 8), groupId.length & 0xff]);
  const epochBytes = Buffer.alloc(8);
  epochBytes.writeBigUInt64BE(BigInt(epoch));
  return Buffer.concat([head, length, groupId, epochBytes, Buffer.from([contentType]), randomBytes(padding)]);
}
