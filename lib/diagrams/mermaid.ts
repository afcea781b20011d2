/** Node shapes of a Mermaid flowchart, in the classic syntax every Mermaid renderer (GitHub's too) reads. */
export type Shape = 'box' | 'cylinder' | 'circle' | 'hexagon' | 'stadium' | 'subroutine' | 'folder';

/** `-->` traffic the policies allow, `==>` the way in from outside, `-.->` infrastructure (DNS, scraping, sync order). */
export type EdgeStyle = 'solid' | 'thick' | 'dotted';

const OPEN: Record<Shape, [string, string]> = {
  box: ['["', '"]'],
  cylinder: ['[("', '")]'],
  circle: ['(("', '"))'],
  hexagon: ['{{"', '"}}'],
  stadium: ['(["', '"])'],
  subroutine: ['[["', '"]]'],
  folder: ['[/"', '"/]'],
};
const ARROW: Record<EdgeStyle, string> = { solid: '-->', thick: '==>', dotted: '-.->' };

/** Text inside a quoted label: `#`, quotes and angle brackets as Mermaid entity codes, lines joined with `<br/>`. */
export function labelText(lines: readonly string[]): string {
  return lines.map((l) => l.replace(/#/g, '#35;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;')).join('<br/>');
}

/** A Mermaid-safe identifier: `svc` + `order-service` → `svc_order_service`. */
export function mermaidId(prefix: string, name: string): string {
  return `${prefix}_${name.replace(/[^A-Za-z0-9]/g, '_')}`;
}

/**
 * A Mermaid flowchart built line by line. Nodes are declared once (a second declaration of the same id is
 * ignored, so shared nodes can be asked for freely); edges keep their order, which is the caller's sorted order.
 */
export class Flowchart {
  private readonly lines: string[] = [];
  private readonly declared = new Set<string>();
  private readonly edges = new Set<string>();
  private depth = 1;

  constructor(private readonly direction: 'LR' | 'TB') {}

  public node(id: string, shape: Shape, lines: readonly string[]): string {
    if (!this.declared.has(id)) {
      this.declared.add(id);
      const [open, close] = OPEN[shape];
      this.lines.push(`${'  '.repeat(this.depth)}${id}${open}${labelText(lines)}${close}`);
    }
    return id;
  }

  public has(id: string): boolean {
    return this.declared.has(id);
  }

  public subgraph(id: string, title: string, build: () => void): string {
    this.declared.add(id);
    this.lines.push(`${'  '.repeat(this.depth)}subgraph ${id}["${labelText([title])}"]`);
    this.depth++;
    build();
    this.depth--;
    this.lines.push(`${'  '.repeat(this.depth)}end`);
    return id;
  }

  public edge(from: string, to: string, style: EdgeStyle, label?: readonly string[]): void {
    const line = `  ${from} ${ARROW[style]}${label && label.length > 0 ? `|"${labelText(label)}"|` : ''} ${to}`;
    if (!this.edges.has(line)) {
      this.edges.add(line);
      this.lines.push(line);
    }
  }

  public toString(): string {
    return [`flowchart ${this.direction}`, ...this.lines].join('\n');
  }
}
