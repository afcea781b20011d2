import { Construct } from 'constructs';
import { Microservice } from '../../lib/microservice';
import { PlatformChart } from '../../lib/platform-chart';
import type { PlatformContext } from '../../lib/platform-context';

/** Where the gateway's configuration is mounted; nginx is started with `-c` on it, never the image's. */
const CONFIG_DIR = '/etc/nginx/gateway';

/**
 * The whole nginx configuration. Everything nginx writes (pid, temporary files) goes to /tmp, so the root
 * filesystem stays read-only; logs go to stdout/stderr for Fluent Bit.
 */
const NGINX_CONF = `worker_processes auto;
pid /tmp/nginx.pid;
error_log /dev/stderr warn;

events {
  worker_connections 1024;
}

http {
  client_body_temp_path /tmp/client_temp;
  proxy_temp_path /tmp/proxy_temp;
  fastcgi_temp_path /tmp/fastcgi_temp;
  uwsgi_temp_path /tmp/uwsgi_temp;
  scgi_temp_path /tmp/scgi_temp;

  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  log_format main '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
                  '"$http_referer" "$http_user_agent" "$http_x_forwarded_for" $request_time';
  access_log /dev/stdout main;
  server_tokens off;
  sendfile on;
  keepalive_timeout 65;
  client_max_body_size 10m;

  server {
    listen 8080;

    # Probes: the gateway is live and ready when nginx answers; the API has its own probes.
    location = /healthz/live { access_log off; return 200 "ok\\n"; }
    location = /healthz/ready { access_log off; return 200 "ok\\n"; }

    location / {
      proxy_pass http://api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $http_x_forwarded_proto;
      proxy_connect_timeout 5s;
      proxy_read_timeout 60s;
    }
  }
}
`;

/**
 * gateway: Nginx in front of the API, the target of the environment's internet-facing ALB (TLS with ACM).
 * The official unprivileged image runs as uid 101 on port 8080; its configuration comes from a ConfigMap.
 */
export class GatewayChart extends PlatformChart {
  constructor(scope: Construct, context: PlatformContext) {
    super(scope, 'gateway', context);
    new Microservice(this, 'gateway', {
      image: { repository: 'public.ecr.aws/nginx/nginx-unprivileged' },
      component: 'gateway',
      port: 8080,
      runAsUser: 101,
      command: ['nginx'],
      args: ['-c', `${CONFIG_DIR}/nginx.conf`, '-g', 'daemon off;'],
      configFiles: { mountPath: CONFIG_DIR, files: { 'nginx.conf': NGINX_CONF } },
      // /tmp for pid and temporary files; /var/cache/nginx is the compiled-in cache path nginx checks at start.
      writablePaths: ['/tmp', '/var/cache/nginx'],
      scaling: { autoscaling: { minReplicas: 2, maxReplicas: 8, targetCPUUtilizationPercentage: 70, targetMemoryUtilizationPercentage: 80 } },
      resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
      health: { readinessPath: '/healthz/ready', livenessPath: '/healthz/live', startupTimeoutSeconds: 30 },
      dependsOn: [{ target: 'api', ports: ['http'] }],
      exposure: { type: 'alb-ingress', hosts: [{ subdomain: 'resources', zone: 'public' }] },
    });
  }
}
