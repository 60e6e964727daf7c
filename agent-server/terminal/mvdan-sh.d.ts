/**
 * The slice of mvdan-sh (mvdan/sh's parser compiled to JS with GopherJS) that Cairn uses.
 * Nodes are Go structs: fields are read by name after checking `syntax.NodeType(node)`.
 */
declare module 'mvdan-sh' {
  export interface ShNode {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Go struct fields, read by name after a NodeType check
    readonly [field: string]: any;
  }
  export interface ShParser {
    /** Throws (a GopherJS error object, not always an Error) when the source does not parse. */
    Parse(src: string, name: string): ShNode;
  }
  export interface ShSyntax {
    NewParser(...options: unknown[]): ShParser;
    NodeType(node: ShNode): string;
    /** Visits every node depth-first; return false to skip a node's children. */
    Walk(node: ShNode, visit: (node: ShNode | null) => boolean): void;
    LangBash: unknown;
    Variant(lang: unknown): unknown;
  }
  const sh: { syntax: ShSyntax };
  export default sh;
}
