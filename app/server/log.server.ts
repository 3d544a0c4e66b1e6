/** One line of the start-up and worker log: the part, padded, then what happened. */
export function logLine(part: string, message: string): void {
  console.log(`${part.padEnd(9)} ${message}`);
}
