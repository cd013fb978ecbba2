import { describe, expect, it, vi } from 'vitest';
import { classifyAddress } from '../../shared/delivery/ip-ranges.ts';
import { assertSafeWebhookUrl, defaultResolver } from '../../shared/delivery/ssrf-guard.ts';
import { UnsafeTargetError } from '../../shared/errors.ts';

/** A resolver that fails the test if consulted: IP literals must never reach DNS. */
const noDns = async (host: string): Promise<string[]> => {
  throw new Error(`unexpected DNS lookup for ${host}`);
};

const resolvesTo =
  (...addresses: string[]) =>
  async () =>
    addresses;

const remote = { allowLoopback: false, resolve: noDns };
const local = { allowLoopback: true, resolve: noDns };

async function refusal(
  url: string,
  opts: Parameters<typeof assertSafeWebhookUrl>[1],
): Promise<UnsafeTargetError> {
  try {
    await assertSafeWebhookUrl(url, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(UnsafeTargetError);
    return err as UnsafeTargetError;
  }
  throw new Error(`expected ${url} to be refused`);
}

describe('assertSafeWebhookUrl', () => {
  describe('IP literals in the URL', () => {
    it.each([
      // loopback, in every spelling WHATWG URL accepts
      ['https://127.0.0.1/hook', /loopback/],
      ['https://2130706433/hook', /loopback/],
      ['https://0177.0.0.1/hook', /loopback/],
      ['https://0x7f.0.0.1/hook', /loopback/],
      ['https://0x7f000001/hook', /loopback/],
      ['https://127.1/hook', /loopback/],
      ['https://127.0.0.1./hook', /loopback/],
      ['https://127.255.255.254/hook', /loopback/],
      ['https://[::1]/hook', /loopback/],
      ['https://[0:0:0:0:0:0:0:1]/hook', /loopback/],
      ['https://[::ffff:127.0.0.1]/hook', /loopback/],
      ['https://[::ffff:7f00:1]/hook', /loopback/],
      // private, link-local, metadata and CGNAT
      ['https://10.0.0.1/hook', /private/],
      ['https://012.1/hook', /private/],
      ['https://172.16.0.1/hook', /private/],
      ['https://172.31.255.255/hook', /private/],
      ['https://192.168.1.1/hook', /private/],
      ['https://169.254.169.254/latest/meta-data/', /metadata/],
      ['https://0xa9fea9fe/', /metadata/],
      ['https://[fd00:ec2::254]/', /metadata/],
      ['https://169.254.1.1/hook', /link-local/],
      ['https://[fe80::1]/hook', /link-local/],
      ['https://100.64.0.1/hook', /carrier-grade NAT/],
      ['https://100.127.255.254/hook', /carrier-grade NAT/],
      // unspecified, broadcast, multicast, reserved and documentation
      ['https://0.0.0.0/hook', /unspecified/],
      ['https://0/hook', /unspecified/],
      ['https://[::]/hook', /unspecified/],
      ['https://255.255.255.255/hook', /broadcast/],
      ['https://224.0.0.1/hook', /multicast/],
      ['https://[ff02::1]/hook', /multicast/],
      ['https://240.0.0.1/hook', /reserved/],
      ['https://192.0.0.8/hook', /reserved/],
      ['https://192.0.2.10/hook', /reserved/],
      ['https://198.18.0.1/hook', /reserved/],
      ['https://198.51.100.7/hook', /reserved/],
      ['https://203.0.113.9/hook', /reserved/],
      ['https://[2001:db8::1]/hook', /reserved/],
      // IPv6 unique local and IPv4 hidden inside IPv6
      ['https://[fc00::1]/hook', /unique local/],
      ['https://[fd12:3456:789a::1]/hook', /unique local/],
      ['https://[::ffff:10.0.0.1]/hook', /IPv4-mapped form of 10\.0\.0\.1, a private/],
      ['https://[::ffff:169.254.169.254]/', /IPv4-mapped form of 169\.254\.169\.254, a cloud metadata/],
      ['https://[64:ff9b::10.0.0.1]/hook', /NAT64 form of 10\.0\.0\.1, a private/],
      ['https://[64:ff9b::7f00:1]/hook', /NAT64 form of 127\.0\.0\.1, a loopback/],
      ['https://[64:ff9b::8.8.8.8]/hook', /NAT64 form of 8\.8\.8\.8/],
      ['https://[2002:c0a8:101::1]/hook', /6to4 form of 192\.168\.1\.1, a private/],
      ['https://[2001:0:4136:e378::1]/hook', /Teredo/],
      ['https://[::127.0.0.1]/hook', /outside global unicast/],
    ])('refuses %s', async (url, reason) => {
      const err = await refusal(url, remote);
      expect(err.message).toMatch(reason);
      expect(err.errors).toEqual([{ path: 'url', message: err.message }]);
    });

    it.each([
      ['https://93.184.215.14/hook', '93.184.215.14'],
      ['https://1.1.1.1/hook', '1.1.1.1'],
      ['https://0x01010101/hook', '1.1.1.1'],
      ['https://172.32.0.1/hook', '172.32.0.1'],
      ['https://100.128.0.1/hook', '100.128.0.1'],
      ['https://[2606:4700:4700::1111]/hook', '2606:4700:4700::1111'],
      ['https://[::ffff:8.8.8.8]/hook', '::ffff:808:808'],
    ])('allows the public address %s', async (url, address) => {
      const target = await assertSafeWebhookUrl(url, remote);
      expect(target.addresses).toEqual([address]);
      expect(target.url.href).toBe(new URL(url).href);
    });

    it('allows a loopback literal when allowLoopback is set', async () => {
      await expect(assertSafeWebhookUrl('http://127.0.0.1:8080/hook', local)).resolves.toMatchObject({
        addresses: ['127.0.0.1'],
      });
    });

    it('allows an IPv6 loopback literal when allowLoopback is set', async () => {
      await expect(assertSafeWebhookUrl('http://[::1]:8080/hook', local)).resolves.toMatchObject({
        addresses: ['::1'],
      });
    });

    it('still refuses private addresses when allowLoopback is set', async () => {
      expect((await refusal('https://10.0.0.1/hook', local)).message).toMatch(/private/);
    });
  });

  describe('URL shape', () => {
    it.each([
      ['http://93.184.215.14/hook', remote, /must use https/],
      ['http://93.184.215.14/hook', local, /plain http is only allowed to loopback/],
      ['ftp://93.184.215.14/hook', remote, /must use https, not ftp/],
      ['file:///etc/passwd', remote, /must use https, not file/],
      ['https://user:pass@93.184.215.14/hook', remote, /credentials/],
      ['https://token@93.184.215.14/hook', remote, /credentials/],
      ['not a url', remote, /not a valid absolute URL/],
      ['/relative/hook', remote, /not a valid absolute URL/],
    ])('refuses %s', async (url, opts, reason) => {
      expect((await refusal(url, opts)).message).toMatch(reason);
    });
  });

  describe('hostnames', () => {
    it('returns every address the hostname resolves to', async () => {
      const resolve = vi.fn(resolvesTo('93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'));
      const target = await assertSafeWebhookUrl('https://hooks.example.com/in', {
        allowLoopback: false,
        resolve,
      });
      expect(resolve).toHaveBeenCalledWith('hooks.example.com');
      expect(target.addresses).toEqual(['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c']);
    });

    it('refuses a hostname resolving to a private address', async () => {
      const err = await refusal('https://internal.example.com/hook', {
        allowLoopback: false,
        resolve: resolvesTo('10.1.2.3'),
      });
      expect(err.message).toBe(
        'Webhook URL host "internal.example.com" resolves to 10.1.2.3, a private address',
      );
    });

    it('refuses a hostname when any one of its addresses is unsafe', async () => {
      const err = await refusal('https://mixed.example.com/hook', {
        allowLoopback: false,
        resolve: resolvesTo('93.184.215.14', '169.254.169.254'),
      });
      expect(err.message).toMatch(/169\.254\.169\.254, a cloud metadata address/);
    });

    it('refuses a hostname resolving to loopback unless allowLoopback is set', async () => {
      const resolve = resolvesTo('127.0.0.1', '::1');
      expect((await refusal('https://localhost/hook', { allowLoopback: false, resolve })).message).toMatch(
        /loopback/,
      );
      await expect(
        assertSafeWebhookUrl('http://localhost:3000/hook', { allowLoopback: true, resolve }),
      ).resolves.toMatchObject({ addresses: ['127.0.0.1', '::1'] });
    });

    it('refuses plain http to a hostname with a public address even when allowLoopback is set', async () => {
      const resolve = resolvesTo('127.0.0.1', '93.184.215.14');
      expect(
        (await refusal('http://sneaky.example.com/hook', { allowLoopback: true, resolve })).message,
      ).toMatch(/must use https/);
    });

    it('refuses a hostname that resolves to nothing', async () => {
      expect(
        (await refusal('https://void.example.com/', { allowLoopback: false, resolve: resolvesTo() })).message,
      ).toMatch(/did not resolve/);
    });

    it('refuses a resolver answer that is not an IP address', async () => {
      const resolve = resolvesTo('not-an-ip');
      expect((await refusal('https://odd.example.com/', { allowLoopback: false, resolve })).message).toMatch(
        /not a valid IP address/,
      );
    });

    it('lets resolver failures propagate unchanged so callers can retry them', async () => {
      const failure = Object.assign(new Error('queryA ETIMEOUT'), { code: 'ETIMEOUT' });
      const resolve = async () => {
        throw failure;
      };
      await expect(
        assertSafeWebhookUrl('https://slow.example.com/', { allowLoopback: false, resolve }),
      ).rejects.toBe(failure);
    });

    it('does not consult the resolver for a URL refused on its shape', async () => {
      const resolve = vi.fn(resolvesTo('93.184.215.14'));
      await refusal('http://hooks.example.com/', { allowLoopback: false, resolve });
      expect(resolve).not.toHaveBeenCalled();
    });
  });
});

describe('classifyAddress', () => {
  it('accepts a zone-scoped link-local address only to refuse it', () => {
    expect(classifyAddress('fe80::1%eth0')).toMatchObject({
      kind: 'refused',
      reason: 'a link-local address',
    });
  });

  it('treats an IPv4-mapped public address as public', () => {
    expect(classifyAddress('::ffff:1.1.1.1')).toEqual({ kind: 'public' });
  });

  it('refuses unallocated IPv6 space outside 2000::/3', () => {
    expect(classifyAddress('4000::1')).toMatchObject({ kind: 'refused' });
  });
});

describe('defaultResolver', () => {
  it('resolves localhost through the operating system', async () => {
    const addresses = await defaultResolver('localhost');
    expect(addresses.length).toBeGreaterThan(0);
    expect(addresses.every((a) => classifyAddress(a).kind === 'loopback')).toBe(true);
  });
});
