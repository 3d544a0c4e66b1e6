/** An address as people read it: its first and last hex digits (give it checksummed, 0xAbC…). */
export const shortAddress = (address: string) => `${address.slice(0, 6)}…${address.slice(-4)}`;
