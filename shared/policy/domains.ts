import { parse } from 'tldts';
import type { PolicyServices } from './validate-policy.js';

/**
 * An allowed-domain entry as a host the links rule can compare with: written
 * as a bare host or a URL, lower-cased, "www." dropped (it allows the site),
 * other subdomains kept (allowing "clips.twitch.tv" allows just that). The
 * public suffix list (private section included) refuses entries that would
 * allow everyone's sites: "co.uk", "github.io".
 */
export const resolveDomain: PolicyServices['resolveDomain'] = (input) => {
  const parsed = parse(input.trim(), { allowPrivateDomains: true });
  if (parsed.isIp === true) return { error: 'an IP address; allowedDomains takes domain names' };
  const { hostname, domain, publicSuffix } = parsed;
  if (hostname === null || publicSuffix === null || !hostname.includes('.')) {
    return { error: 'not a domain name (expected something like example.com)' };
  }
  if (parsed.isIcann !== true && parsed.isPrivate !== true) {
    return { error: `"${hostname}" is not under a known top-level domain` };
  }
  if (domain === null) {
    return {
      error: `"${hostname}" is a public suffix: allowing it would allow every site under it; name one, such as example.${hostname}`,
    };
  }
  return { domain: hostname.startsWith('www.') ? hostname.slice(4) : hostname };
};
