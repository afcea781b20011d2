import type { Environment } from '../environments/schema';
import { AWS_LOAD_BALANCER_DRAINING, targetGroupAttributes } from './connection-draining';
import { nginxLoadBalancer } from './exposure-plan';
import { AWS_TLS_POLICY } from './ingress';

/** Container port on which the controller answers every request with a redirect to HTTPS. */
export const REDIRECT_TO_HTTPS_PORT = 2443;

/**
 * The ingress-nginx controller's Helm values that make its NLB what lib/exposure-plan.ts promises NGINX-routed
 * hosts: internet-facing, TLS terminated on the NLB with the public domain's ACM certificate, and plain HTTP
 * redirected to HTTPS. The NLB forwards 443 (after TLS) to the controller's `http` port and 80 to a port that
 * only redirects: an NLB is layer 4, so NGINX cannot tell the two apart by a header. Its targets (the
 * controller's pods, IP targets) drain like every other AWS load balancer target. Without the AWS Load
 * Balancer Controller, the in-tree provider owns the Service and none of this applies.
 */
export function ingressNginxControllerValues(env: Environment, loadBalancerController: boolean): Record<string, unknown> {
  const lb = nginxLoadBalancer(env.cluster);
  if (!loadBalancerController) return { service: { annotations: {} } };
  const draining = AWS_LOAD_BALANCER_DRAINING;
  return {
    service: {
      annotations: {
        'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
        'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
        'service.beta.kubernetes.io/aws-load-balancer-scheme': lb.scheme,
        'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes': targetGroupAttributes(draining, true),
        ...(lb.certificateArn
          ? {
            'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': lb.certificateArn,
            'service.beta.kubernetes.io/aws-load-balancer-ssl-ports': 'https',
            'service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy': AWS_TLS_POLICY,
          }
          : {}),
      },
      ...(lb.certificateArn ? { targetPorts: { http: 'tohttps', https: 'http' } } : {}),
    },
    ...(lb.certificateArn
      ? {
        containerPort: { http: 80, https: 443, tohttps: REDIRECT_TO_HTTPS_PORT },
        config: {
          // 308 keeps the method and body of a POST; HSTS (ingress-nginx's default) then keeps browsers on HTTPS.
          'http-snippet': `server { listen ${REDIRECT_TO_HTTPS_PORT}; return 308 https://$host$request_uri; }`,
        },
      }
      : {}),
    // The chart's preStop (/wait-shutdown) signals the controller; it keeps serving this long before NGINX
    // stops, so the NLB has deregistered it first (terminationGracePeriodSeconds stays the chart's 300).
    extraArgs: { 'shutdown-grace-period': String(draining.preStopSeconds) },
  };
}
