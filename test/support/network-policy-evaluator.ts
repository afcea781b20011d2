import type { Any } from '../helpers';

/** A pod (or an address outside the cluster) in a flow. */
export interface Endpoint {
  readonly namespace?: string;
  readonly labels?: Record<string, string>;
  /** For traffic from/to outside the pod network, e.g. a load balancer in the VPC or the internet. */
  readonly ip?: string;
}

const matches = (selector: Any, labels: Record<string, string> = {}) =>
  Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);

function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const toInt = (a: string) => a.split('.').reduce((n, o) => (n << 8) + Number(o), 0) >>> 0;
  const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  return (toInt(ip) & mask) === (toInt(base) & mask);
}

function peerMatches(peer: Any, policyNamespace: string, other: Endpoint): boolean {
  if (peer.ipBlock) return other.ip !== undefined && inCidr(other.ip, peer.ipBlock.cidr);
  if (other.ip !== undefined) return false;
  const namespaceOk = peer.namespaceSelector
    ? matches(peer.namespaceSelector, { 'kubernetes.io/metadata.name': other.namespace ?? '' })
    : other.namespace === policyNamespace;
  const podOk = peer.podSelector ? matches(peer.podSelector, other.labels) : true;
  return namespaceOk && podOk;
}

const portMatches = (ports: Any[] | undefined, port: number, protocol: string) =>
  !ports || ports.some((p) => (p.protocol ?? 'TCP') === protocol && (p.port === undefined || p.port === port));

/**
 * Would Kubernetes NetworkPolicy semantics let `from` reach `to` on `port`? Both directions must allow it:
 * the egress policies selecting the source (if any) and the ingress policies selecting the destination.
 */
export function allowed(policies: Any[], from: Endpoint, to: Endpoint, port: number, protocol = 'TCP'): boolean {
  const side = (self: Endpoint, other: Endpoint, type: 'Ingress' | 'Egress') => {
    if (self.ip !== undefined) return true; // not a pod: no policy applies
    const selecting = policies.filter((p) => p.metadata.namespace === self.namespace && matches(p.spec.podSelector, self.labels)
      && (p.spec.policyTypes ?? ['Ingress']).includes(type));
    if (selecting.length === 0) return true;
    return selecting.some((p) => ((type === 'Ingress' ? p.spec.ingress : p.spec.egress) ?? []).some((rule: Any) => {
      const peers = type === 'Ingress' ? rule.from : rule.to;
      return (!peers || peers.some((peer: Any) => peerMatches(peer, p.metadata.namespace, other))) && portMatches(rule.ports, port, protocol);
    }));
  };
  return side(from, to, 'Egress') && side(to, from, 'Ingress');
}
