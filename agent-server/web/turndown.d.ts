/** The slice of turndown (HTML → Markdown; ships no types) that Cairn uses. */
declare module 'turndown' {
  interface TurndownOptions {
    headingStyle?: 'setext' | 'atx';
    codeBlockStyle?: 'indented' | 'fenced';
    bulletListMarker?: '-' | '+' | '*';
  }
  export default class TurndownService {
    constructor(options?: TurndownOptions);
    /** Elements dropped with their content. */
    remove(filter: string | string[]): this;
    turndown(html: string): string;
  }
}
