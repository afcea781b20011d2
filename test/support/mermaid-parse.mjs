// Parses Mermaid diagrams with the real `mermaid` library, offline, in Node: reads a JSON array of diagram
// texts on stdin and prints, for each, the parse error or the graph as Mermaid understood it (vertices, edges,
// subgraphs). Mermaid sanitises labels with DOMPurify, which needs a DOM: jsdom provides the window before
// mermaid is loaded. Run as a child process, because mermaid is an ES module and jest runs CommonJS.
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';

const { window } = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = window;
globalThis.document = window.document;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });

const diagrams = JSON.parse(readFileSync(0, 'utf8'));
const results = [];
for (const text of diagrams) {
  try {
    await mermaid.parse(text);
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
    const db = diagram.db;
    results.push({
      type: diagram.type,
      vertices: [...db.getVertices().values()].map((v) => ({ id: v.id, text: v.text, shape: v.type ?? null })),
      edges: db.getEdges().map((e) => ({ from: e.start, to: e.end, text: e.text, stroke: e.stroke })),
      subgraphs: db.getSubGraphs().map((s) => ({ id: s.id, title: s.title, nodes: s.nodes })),
    });
  } catch (e) {
    results.push({ error: String(e?.message ?? e).split('\n').slice(0, 3).join('\n') });
  }
}
process.stdout.write(JSON.stringify(results));
