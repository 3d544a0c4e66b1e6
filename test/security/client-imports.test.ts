/**
 * Code that reaches the browser uses no value from a `*.server` module. Remix replaces such
 * modules with empty ones in the client bundle, so a value imported from one is `undefined` there:
 * the subscribers page crashed with "Cannot read properties of undefined (reading 'map')" on a
 * list of statuses imported from subscribers.server.ts.
 *
 * What is checked, from the source (TypeScript's parser, no type checking):
 * - Client code is the root, every route file and page script, and every module they import that
 *   is not `*.server` (followed transitively). The build keeps the same modules or fewer.
 * - In a route file (and the root), the compiler drops `loader`, `action` and `headers` and what only
 *   they use, so a value imported from a `*.server` module may be referenced only inside those
 *   exports, or inside module-level helper functions that only they call (transitively). Any other
 *   reference is a failure: in the component, `meta`, `handle`, or a module-level initializer,
 *   which runs when the module loads in the browser even if nothing uses its result.
 * - Any other client module may import only types from `*.server` modules.
 * Names are matched, not scopes: a local variable shadowing an import counts as a use (a false
 * alarm is possible, a miss is not).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const APP = path.resolve(__dirname, "../../app");
const SERVER_EXPORTS = new Set(["loader", "action", "headers"]);
const isServerModule = (specifier: string) => /\.server(\.[jt]sx?)?$/.test(specifier);

/** A project file an import names (`~/…` or relative), or null for a package. */
function resolve(from: string, specifier: string): string | null {
  const base = specifier.startsWith("~/") ? path.join(APP, specifier.slice(2)) : specifier.startsWith(".") ? path.resolve(path.dirname(from), specifier) : null;
  if (!base) return null;
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, "index.ts"), path.join(base, "index.tsx")]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return null;
}

const parse = (file: string) => ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true, file.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);

/** Names bound to values (not types) by the file's imports of `*.server` modules, with where they come from. */
function serverValueImports(source: ts.SourceFile): Map<string, string> {
  const names = new Map<string, string>();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const from = statement.moduleSpecifier.text;
    const clause = statement.importClause;
    if (!isServerModule(from) || clause?.isTypeOnly) continue;
    if (!clause) names.set(`(side effects of ${from})`, from);
    if (clause?.name) names.set(clause.name.text, from);
    const bindings = clause?.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) names.set(bindings.name.text, from);
    if (bindings && ts.isNamedImports(bindings)) for (const element of bindings.elements) if (!element.isTypeOnly) names.set(element.name.text, from);
  }
  return names;
}

type Context = { kind: "server" } | { kind: "helper"; name: string } | { kind: "client"; where: string };

/** A module-level function the module does not export: defining it runs nothing. */
function helperName(statement: ts.Statement): string | undefined {
  if (ts.getModifiers(statement as ts.HasModifiers)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return undefined;
  if (ts.isFunctionDeclaration(statement)) return statement.name?.text;
  if (!ts.isVariableStatement(statement) || statement.declarationList.declarations.length !== 1) return undefined;
  const [declaration] = statement.declarationList.declarations;
  const initializer = declaration!.initializer;
  return ts.isIdentifier(declaration!.name) && initializer && (ts.isArrowFunction(initializer) || ts.isFunctionExpression(initializer)) ? declaration!.name.text : undefined;
}

/** Where a node runs: in a server export of a route, in a module-level helper, or in code the client keeps. */
function contextOf(node: ts.Node, isRoute: boolean): Context {
  let statement = node;
  while (!ts.isSourceFile(statement.parent)) statement = statement.parent;
  const helper = helperName(statement as ts.Statement);
  if (helper) return { kind: "helper", name: helper };
  const modifiers = ts.canHaveModifiers(statement) ? (ts.getModifiers(statement) ?? []) : [];
  let exported: string | undefined;
  if (modifiers.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
    if (modifiers.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword)) exported = "default";
    else if (ts.isFunctionDeclaration(statement)) exported = statement.name?.text;
    else if (ts.isVariableStatement(statement)) {
      const declaration = statement.declarationList.declarations.find((d) => d.pos <= node.pos && node.end <= d.end);
      exported = declaration && ts.isIdentifier(declaration.name) ? declaration.name.text : undefined;
    }
  }
  if (isRoute && exported && SERVER_EXPORTS.has(exported)) return { kind: "server" };
  return { kind: "client", where: exported ? `export ${exported}` : "module scope" };
}

/** Whether an identifier names a variable here, rather than a property, a key or the import itself. */
function isReference(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isImportSpecifier(parent) || ts.isImportClause(parent) || ts.isNamespaceImport(parent)) return false;
  if ((ts.isPropertyAccessExpression(parent) || ts.isQualifiedName(parent)) && (parent as ts.PropertyAccessExpression).name === node) return false;
  if ((ts.isPropertyAssignment(parent) || ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertySignature(parent)) && parent.name === node) return false;
  if (ts.isJsxAttribute(parent) || ts.isTypeReferenceNode(parent)) return false;
  return true;
}

interface Finding {
  file: string;
  line: number;
  name: string;
  from: string;
  where: string;
}

/**
 * Every use of a `*.server` value in `file` that would be left in the client bundle. A helper
 * function is left out of it when everything that calls it is (a greatest fixpoint, so helpers
 * that only call each other count as unused).
 */
function clientUses(file: string, isRoute: boolean): Finding[] {
  const source = parse(file);
  const imported = serverValueImports(source);
  const relative = path.relative(path.dirname(APP), file);
  const helpers = new Set(source.statements.flatMap((statement) => helperName(statement) ?? []));
  const references: { node: ts.Identifier; context: Context }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isIdentifier(node) && (imported.has(node.text) || helpers.has(node.text)) && isReference(node)) references.push({ node, context: contextOf(node, isRoute) });
    ts.forEachChild(node, visit);
  };
  visit(source);
  const serverOnly = new Set(helpers);
  const inClient = (context: Context) => context.kind === "client" || (context.kind === "helper" && !serverOnly.has(context.name));
  for (let changed = true; changed; ) {
    changed = false;
    for (const { node, context } of references) {
      const callee = node.text;
      if (serverOnly.has(callee) && !(context.kind === "helper" && context.name === callee) && inClient(context)) {
        serverOnly.delete(callee);
        changed = true;
      }
    }
  }
  const findings: Finding[] = [];
  for (const [name, from] of imported) {
    if (name.startsWith("(side effects")) findings.push({ file: relative, line: 1, name, from, where: "module" });
  }
  for (const { node, context } of references) {
    if (!imported.has(node.text) || !inClient(context)) continue;
    const where = context.kind === "helper" ? `${context.name}, which code in the client bundle calls` : context.kind === "client" ? context.where : "";
    findings.push({ file: relative, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, name: node.text, from: imported.get(node.text)!, where });
  }
  return findings;
}

/** The files the browser can load: entry points, then every non-.server module they import, transitively. */
function clientModules(): { file: string; isRoute: boolean }[] {
  const routes = fs.readdirSync(path.join(APP, "routes")).map((name) => path.join(APP, "routes", name));
  const pageScripts = fs.readdirSync(path.join(APP, "page-scripts")).map((name) => path.join(APP, "page-scripts", name));
  const entries = [path.join(APP, "root.tsx"), ...routes];
  const seen = new Map<string, boolean>(entries.map((file) => [file, true]));
  const queue = [...entries, ...pageScripts];
  for (const file of pageScripts) seen.set(file, false);
  while (queue.length) {
    const file = queue.shift()!;
    for (const statement of parse(file).statements) {
      if (!(ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) || !statement.moduleSpecifier || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
      const specifier = statement.moduleSpecifier.text;
      if (isServerModule(specifier)) continue;
      const target = resolve(file, specifier);
      if (target && /\.tsx?$/.test(target) && !seen.has(target)) {
        seen.set(target, false);
        queue.push(target);
      }
    }
  }
  return [...seen].map(([file, isRoute]) => ({ file, isRoute }));
}

const describeFinding = (f: Finding) => `${f.file}:${f.line} uses ${f.name} from ${f.from} in ${f.where}`;

describe("code that reaches the browser", () => {
  it("finds the route files, components and shared modules the client bundle is built from", () => {
    const files = clientModules().map(({ file }) => path.relative(APP, file));
    expect(files).toEqual(expect.arrayContaining(["root.tsx", "routes/settings.subscribers.tsx", "components/Editor.tsx", "modules/entries/extensions.ts", "page-scripts/edition.ts"]));
    expect(files.filter((file) => /\.server\.tsx?$/.test(file))).toEqual([]);
  });

  it("uses values from *.server modules only in a route's loader, action or headers", () => {
    expect(clientModules().flatMap(({ file, isRoute }) => clientUses(file, isRoute)).map(describeFinding)).toEqual([]);
  });

  it("would catch a server value in a component, in meta, at module scope, in a helper the component calls and in a shared module", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "client-imports-"));
    try {
      const route = path.join(dir, "route.tsx");
      fs.writeFileSync(
        route,
        [
          'import { audience, STATUSES, type SubscriberStatus } from "~/modules/subscriptions/subscribers.server";',
          'import type { Database } from "~/db.server";',
          "const LIMIT = STATUSES.length;",
          "const count = () => audience(null as never, '', {});",
          "function label() { return STATUSES.join(); }",
          "export async function loader() { return count(); }",
          "export const meta = () => [{ title: String(STATUSES[0]) }];",
          "export default function Page() { return <p title={label()}>{STATUSES.map((s: SubscriberStatus) => s)}</p>; }",
        ].join("\n"),
      );
      const shared = path.join(dir, "shared.ts");
      fs.writeFileSync(shared, 'import { FOLLOWING } from "~/modules/subscriptions/subscribers.server";\nexport const following = () => FOLLOWING;\n');
      expect([...clientUses(route, true), ...clientUses(shared, false)].map((f) => `${path.basename(f.file)}:${f.line} ${f.name} in ${f.where}`)).toEqual([
        "route.tsx:3 STATUSES in module scope",
        "route.tsx:5 STATUSES in label, which code in the client bundle calls",
        "route.tsx:7 STATUSES in export meta",
        "route.tsx:8 STATUSES in export default",
        "shared.ts:2 FOLLOWING in export following",
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
