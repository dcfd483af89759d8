/**
 * The address of the `index`th client, `perAddress` clients to each, from
 * 127.0.1.1 on: every 127.x address is this machine, and to the server's
 * per-address limits each is a client of its own.
 */
export function loopbackAddress(index: number, perAddress = 1): string {
  const client = Math.floor(index / perAddress);
  return `127.0.${1 + Math.floor(client / 250)}.${1 + (client % 250)}`;
}
