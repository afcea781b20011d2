// A small Kubernetes REST client for the Argo CD check: the admin token and the API server's CA of the
// throw-away cluster (tools/apiserver/cluster.ts), JSON in and out, and a watch that delivers events in the
// server's order. kubectl would cost a process per call; the status writer and the observer call often.
import { request } from 'node:https';

export type KObject = Record<string, any>;

export interface KubeResponse {
  status: number;
  body: any;
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KObject;
}

export class Kube {
  constructor(private readonly server: string, private readonly token: string, private readonly ca: Buffer) {}

  request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<KubeResponse> {
    return new Promise((resolvePromise, reject) => {
      const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
      const req = request(
        `${this.server}${path}`,
        {
          method,
          ca: this.ca,
          headers: {
            Authorization: `Bearer ${this.token}`,
            Accept: 'application/json',
            ...(payload === undefined ? {} : { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload) }),
          },
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: any = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              // not JSON: keep the text
            }
            resolvePromise({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** GET that throws on anything but 200, naming the path and the server's message. */
  async get(path: string): Promise<KObject> {
    const r = await this.request('GET', path);
    if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.body?.message ?? r.body}`);
    return r.body;
  }

  /** GET that returns undefined for 404. */
  async find(path: string): Promise<KObject | undefined> {
    const r = await this.request('GET', path);
    if (r.status === 404) return undefined;
    if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.body?.message ?? r.body}`);
    return r.body;
  }

  /** Items of a list; an unknown resource (CRD not installed) is an empty list. */
  async list(path: string): Promise<KObject[]> {
    const r = await this.request('GET', path);
    if (r.status === 404) return [];
    if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.body?.message ?? r.body}`);
    return r.body.items ?? [];
  }

  async mergePatch(path: string, patch: unknown): Promise<KubeResponse> {
    return this.request('PATCH', path, patch, 'application/merge-patch+json');
  }

  /** Server-side apply of one object under a field manager, forcing conflicts (the check owns its objects). */
  async apply(path: string, object: KObject, fieldManager: string): Promise<KObject> {
    const r = await this.request('PATCH', `${path}?fieldManager=${encodeURIComponent(fieldManager)}&force=true`, object, 'application/apply-patch+yaml');
    if (r.status !== 200 && r.status !== 201) throw new Error(`apply ${path}: ${r.status} ${r.body?.message ?? JSON.stringify(r.body)}`);
    return r.body;
  }

  /**
   * Watches a collection from now on; events arrive in the order the server committed them. Reconnects from
   * the last resourceVersion when the server ends the stream. Returns a function that stops it.
   */
  watch(path: string, onEvent: (e: WatchEvent) => void, onError: (e: Error) => void = () => undefined): () => void {
    let stopped = false;
    let current: { destroy(): void } | undefined;
    let resourceVersion = '';
    const connect = () => {
      if (stopped) return;
      const sep = path.includes('?') ? '&' : '?';
      const req = request(
        `${this.server}${path}${sep}watch=1&allowWatchBookmarks=true${resourceVersion ? `&resourceVersion=${resourceVersion}` : ''}`,
        { method: 'GET', ca: this.ca, headers: { Authorization: `Bearer ${this.token}`, Accept: 'application/json' } },
        (res) => {
          let buffer = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            buffer += chunk;
            for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
              const line = buffer.slice(0, nl).trim();
              buffer = buffer.slice(nl + 1);
              if (!line) continue;
              const e = JSON.parse(line) as WatchEvent;
              if (e.type === 'ERROR') {
                resourceVersion = ''; // expired: start again from now
                continue;
              }
              resourceVersion = e.object?.metadata?.resourceVersion ?? resourceVersion;
              if (e.type !== 'BOOKMARK') onEvent(e);
            }
          });
          res.on('end', () => setTimeout(connect, 100));
          res.on('error', () => setTimeout(connect, 500));
        },
      );
      req.on('error', (e) => {
        if (!stopped) {
          onError(e);
          setTimeout(connect, 500);
        }
      });
      req.end();
      current = req;
    };
    connect();
    return () => {
      stopped = true;
      current?.destroy();
    };
  }
}

/** An object as Argo CD's `status.resources` names it. */
export interface Ref {
  group: string;
  version: string;
  kind: string;
  namespace?: string;
  name: string;
}

const plural = (kind: string) => {
  const k = kind.toLowerCase();
  return k.endsWith('y') ? `${k.slice(0, -1)}ies` : k.endsWith('s') ? `${k}es` : `${k}s`;
};

/** REST path of an object (regular English plurals, which every kind synced here has). */
export const pathOf = (r: Ref) =>
  `${r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`}${r.namespace ? `/namespaces/${r.namespace}` : ''}/${plural(r.kind)}/${r.name}`;
