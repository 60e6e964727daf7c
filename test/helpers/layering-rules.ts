/**
 * The layering rules of DESIGN.md, checked from the imports. Imports are read with the
 * TypeScript parser (static, type-only, re-exports, `import()` calls and types, `require`), so
 * comments and strings never count. Pure over a list of sources, so the rules can be tested on
 * made-up files as well as run over the tree.
 */
import { builtinModules } from 'node:module';
import { posix } from 'node:path';
import ts from 'typescript';

export interface SourceFile {
  /** Repository-relative path with forward slashes, e.g. `agent-server/core/turn.ts`. */
  path: string;
  text: string;
}

export interface ImportSite {
  file: string;
  line: number;
  specifier: string;
  /** Repository-relative target for a relative import (extension as written), else undefined. */
  target?: string;
  typeOnly: boolean;
}

export interface Violation {
  rule: string;
  site: ImportSite;
}

const ACP_SDK = '@agentclientprotocol/sdk';
const NODE_BUILTINS = new Set(builtinModules);
/** Globals that exist in Node and not in a browser. */
const NODE_ONLY_GLOBALS = new Set(['process', 'Buffer', 'require', '__dirname', '__filename', 'global']);

export function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || NODE_BUILTINS.has(specifier.split('/')[0]!);
}

function isPackage(specifier: string, name: string): boolean {
  return specifier === name || specifier.startsWith(`${name}/`);
}

function under(path: string | undefined, folder: string): boolean {
  return path !== undefined && path.startsWith(`${folder}/`);
}

function parse(file: SourceFile): ts.SourceFile {
  return ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
}

/** Every import in a file, with its line (1-based) and where a relative one points. */
export function importsOf(file: SourceFile): ImportSite[] {
  const source = parse(file);
  const sites: ImportSite[] = [];
  const add = (literal: ts.Node, specifier: string, typeOnly: boolean) => {
    const line = source.getLineAndCharacterOfPosition(literal.getStart(source)).line + 1;
    const target = specifier.startsWith('.')
      ? posix.normalize(posix.join(posix.dirname(file.path), specifier))
      : undefined;
    sites.push({ file: file.path, line, specifier, target, typeOnly });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (!clause.name &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((element) => element.isTypeOnly)));
      add(node.moduleSpecifier, node.moduleSpecifier.text, typeOnly);
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      add(node.moduleSpecifier, node.moduleSpecifier.text, node.isTypeOnly);
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      add(node.moduleReference.expression, node.moduleReference.expression.text, node.isTypeOnly);
    } else if (ts.isImportTypeNode(node)) {
      const argument = node.argument;
      if (ts.isLiteralTypeNode(argument) && ts.isStringLiteral(argument.literal)) {
        add(argument.literal, argument.literal.text, true);
      }
    } else if (ts.isCallExpression(node) && node.arguments.length === 1) {
      const [argument] = node.arguments;
      const isImport = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(node.expression) && node.expression.text === 'require';
      if ((isImport || isRequire) && argument && ts.isStringLiteralLike(argument)) {
        add(argument, argument.text, false);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return sites;
}

/** Uses of Node-only globals (`process`, `Buffer`, …) that the file does not declare itself. */
export function nodeGlobalsUsed(file: SourceFile): ImportSite[] {
  const source = parse(file);
  const declared = new Set<string>();
  const uses: ts.Identifier[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isIdentifier(node) && NODE_ONLY_GLOBALS.has(node.text)) {
      const parent = node.parent;
      const namedBy = (parent as { name?: ts.Node }).name === node;
      const isMemberName =
        (namedBy &&
          (ts.isPropertyAccessExpression(parent) ||
            ts.isPropertyAssignment(parent) ||
            ts.isPropertySignature(parent) ||
            ts.isPropertyDeclaration(parent) ||
            ts.isMethodDeclaration(parent) ||
            ts.isMethodSignature(parent) ||
            ts.isEnumMember(parent))) ||
        (ts.isQualifiedName(parent) && parent.right === node);
      const isDeclarationName =
        namedBy &&
        (ts.isVariableDeclaration(parent) ||
          ts.isParameter(parent) ||
          ts.isFunctionDeclaration(parent) ||
          ts.isClassDeclaration(parent) ||
          ts.isBindingElement(parent) ||
          ts.isImportSpecifier(parent) ||
          ts.isImportClause(parent) ||
          ts.isNamespaceImport(parent));
      if (isDeclarationName) declared.add(node.text);
      else if (!isMemberName) uses.push(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return uses
    .filter((identifier) => !declared.has(identifier.text))
    .map((identifier) => ({
      file: file.path,
      line: source.getLineAndCharacterOfPosition(identifier.getStart(source)).line + 1,
      specifier: identifier.text,
      typeOnly: false,
    }));
}

/**
 * Known exceptions, each with its reason: `file → specifier`. Keep this empty; an entry is a
 * debt to pay, not a rule.
 */
export type Allowances = ReadonlyMap<string, string>;

/** Checks every rule; the result lists each offending import once per rule it breaks. */
export function checkLayering(files: readonly SourceFile[], allowances: Allowances = new Map()): Violation[] {
  const violations: Violation[] = [];
  const report = (rule: string, site: ImportSite) => {
    if (!allowances.has(`${site.file} → ${site.specifier}`)) violations.push({ rule, site });
  };
  const byPath = new Map(files.map((file) => [file.path, file]));
  const importsByFile = new Map(files.map((file) => [file.path, importsOf(file)]));

  for (const [path, sites] of importsByFile) {
    for (const site of sites) {
      const { specifier, target } = site;
      if (
        under(path, 'agent-server/core') &&
        !under(target, 'agent-server/core') &&
        !under(target, 'shared')
      ) {
        report('agent-server/core/ imports only itself (and the pure helpers in shared/)', site);
      }
      if (
        under(path, 'agent-server') &&
        isPackage(specifier, ACP_SDK) &&
        !under(path, 'agent-server/acp') &&
        !under(path, 'agent-server/cli')
      ) {
        report('only agent-server/acp/ and agent-server/cli/ import the ACP SDK', site);
      }
      if (
        under(path, 'agent-server/tools') &&
        (isPackage(specifier, ACP_SDK) || isPackage(specifier, 'vscode'))
      ) {
        report('a tool imports neither the ACP SDK nor vscode', site);
      }
      if (under(path, 'extension') && under(target, 'agent-server')) {
        report('extension/ never imports agent-server/ (it talks to it over ACP)', site);
      }
      if (under(path, 'shared') && (under(target, 'agent-server') || under(target, 'extension'))) {
        report('shared/ imports nothing from agent-server/ or extension/', site);
      }
      if (under(path, 'shared') && isPackage(specifier, 'vscode')) {
        report('shared/ does not import vscode', site);
      }
    }
  }

  // What the webview reaches in shared/ (following shared/'s own relative imports) must run in a
  // browser: no Node built-in modules and no Node-only globals. Type-only imports are erased.
  const reached = new Set<string>();
  const pending: string[] = [];
  const follow = (target: string | undefined, typeOnly: boolean) => {
    const path = target?.replace(/\.js$/, '.ts');
    if (!typeOnly && path && under(path, 'shared') && byPath.has(path) && !reached.has(path)) {
      reached.add(path);
      pending.push(path);
    }
  };
  for (const [path, sites] of importsByFile) {
    if (under(path, 'extension/webview')) for (const site of sites) follow(site.target, site.typeOnly);
  }
  for (let path = pending.pop(); path; path = pending.pop()) {
    const rule = 'what the webview imports from shared/ uses no Node-only APIs';
    for (const site of importsByFile.get(path) ?? []) {
      follow(site.target, site.typeOnly);
      if (!site.typeOnly && isNodeBuiltin(site.specifier)) report(rule, site);
    }
    for (const site of nodeGlobalsUsed(byPath.get(path)!)) report(rule, site);
  }
  return violations;
}

export function describeViolation({ rule, site }: Violation): string {
  return `${site.file}:${site.line} → ${site.specifier}  (${rule})`;
}
