/**
 * The Node the press runs on. `npm install` puts Node 24 in node_modules/.bin, and every npm script
 * runs under it whatever Node runs npm; a script started another way (`node`, `npx tsx` from a
 * shell whose Node is older) must stop with a message that says what to do, not crash later in a
 * native module.
 */
export const REQUIRED_NODE_MAJOR = 24;

/** A message saying why `version` cannot run the press, or undefined when it can. */
export function unsupportedNode(version: string): string | undefined {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1]);
  if (major >= REQUIRED_NODE_MAJOR) return undefined;
  return (
    `Permanent Press runs on Node.js ${REQUIRED_NODE_MAJOR} or newer; this is Node.js ${version}. ` +
    `Run it through npm (\`npm start\`, \`npm test\`, \`npm run <script>\`), which uses the Node ${REQUIRED_NODE_MAJOR} ` +
    `that \`npm install\` puts in node_modules/.bin, or put that folder first on your PATH.`
  );
}

export function assertSupportedNode(version: string = process.version): void {
  const problem = unsupportedNode(version);
  if (problem) {
    console.error(problem);
    process.exit(1);
  }
}

// Importing this module first is the check: every entry point (scripts, roles, configs) imports it first.
assertSupportedNode();
