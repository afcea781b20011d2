import { z } from 'zod';

/** The parts of an Amazon Resource Name: `arn:<partition>:<service>:<region>:<account>:<resource>`. */
export interface Arn {
  readonly partition: string;
  readonly service: string;
  /** Empty for global services (IAM). */
  readonly region: string;
  /** Empty for some resources (S3 buckets). */
  readonly account: string;
  /** `role` of `role/prod-api`, `certificate` of `certificate/<uuid>`. */
  readonly resourceType: string;
  /** `prod-api` of `role/prod-api`, path included. */
  readonly resourceId: string;
}

const ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|):(.+)$/;

/** Parses an ARN, or returns why the text is not one. */
export function parseArn(text: string): Arn | string {
  const match = ARN.exec(text);
  if (!match) return 'must be an ARN: arn:<partition>:<service>:<region>:<12-digit account>:<resource>';
  const [, partition, service, region, account, resource] = match;
  const separator = resource.search(/[/:]/);
  if (separator <= 0 || separator === resource.length - 1) {
    return `must name a resource as <type>/<id> after the account, got '${resource}'`;
  }
  return { partition, service, region, account, resourceType: resource.slice(0, separator), resourceId: resource.slice(separator + 1) };
}

/** The partition an AWS region belongs to: `aws-cn` for cn-*, `aws-us-gov` for us-gov-*, `aws` otherwise. */
export function partitionOf(region: string): string {
  return region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
}

export interface ArnExpectation {
  readonly service: string;
  readonly resourceType: string;
  /** Global (IAM): the ARN has no region. Regional: it must have one. */
  readonly global: boolean;
  /** For messages: `an IAM role`, `an ACM certificate`. */
  readonly description: string;
  /** Shape of the id after `<type>/`. @default anything non-empty */
  readonly id?: RegExp;
}

/**
 * A zod string that must be an ARN of one service and resource type, e.g. an IAM role (never a user); the
 * output is the ARN text. Region and account are checked against the cluster by the caller, which knows them.
 */
export function arnOf(expected: ArnExpectation) {
  return z.string().superRefine((text, ctx) => {
    const arn = parseArn(text);
    const want = `${expected.description} ARN (arn:aws:${expected.service}:${expected.global ? '' : '<region>'}:<account>:${expected.resourceType}/...)`;
    if (typeof arn === 'string') {
      ctx.addIssue({ code: 'custom', message: `${arn}; expected ${want}` });
      return;
    }
    if (arn.service !== expected.service || arn.resourceType !== expected.resourceType) {
      ctx.addIssue({ code: 'custom', message: `is ${article(arn.service, arn.resourceType)}, expected ${want}` });
    } else if (expected.global ? arn.region !== '' : arn.region === '') {
      ctx.addIssue({ code: 'custom', message: expected.global ? `must not name a region (${expected.service} is global); expected ${want}` : `names no region; expected ${want}` });
    } else if (arn.account === '') {
      ctx.addIssue({ code: 'custom', message: `names no account; expected ${want}` });
    } else if (expected.id && !expected.id.test(arn.resourceId)) {
      ctx.addIssue({ code: 'custom', message: `has a malformed ${arn.resourceType} id '${arn.resourceId}' (truncated?); expected ${want}` });
    }
  });
}

function article(service: string, type: string): string {
  return `an ${service} ${type} ARN`;
}
