import { describe, expect, it } from 'vitest';
import { DEFAULT_URL_FETCH_POLICY, fetchImageUrl } from '../../../src/images/url/index.js';
import { refusalOf } from './helpers/expectRefusal.js';

// None of these may reach the network: each is refused by a rule before any connection.
describe('fetchImageUrl: policy refusals', () => {
  it.each([
    ['http://example.com/cat.png', /only https/],
    ['ftp://example.com/cat.png', /only https/],
    ['file:///etc/passwd', /only https/],
    ['not a url', /not a valid absolute URL/],
    ['/relative/cat.png', /not a valid absolute URL/],
    ['https://user:pass@example.com/cat.png', /credentials/],
    ['https://user@example.com/cat.png', /credentials/],
    ['https://example.com:8443/cat.png', /port 8443 is not allowed/],
    ['https://example.com:80/cat.png', /port 80 is not allowed/],
  ])('refuses %s by a URL rule', async (url, message) => {
    const error = await refusalOf(fetchImageUrl(url, DEFAULT_URL_FETCH_POLICY));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.reason).toBe('IMAGE_URL_FORBIDDEN');
    expect(error.message).toMatch(message);
  });

  it.each([
    'https://127.0.0.1/',
    'https://127.1/',
    'https://2130706433/',
    'https://0x7f.0.0.1/',
    'https://0177.0.0.1/',
    'https://[::1]/',
    'https://[::ffff:127.0.0.1]/',
    'https://[64:ff9b::a00:1]/',
    'https://[2002:a00:1::]/',
    'https://[fe80::1]/',
    'https://10.0.0.1/',
    'https://169.254.169.254/latest/meta-data',
    'https://0.0.0.0/',
    'https://localhost/',
  ])('refuses %s because the address is not public', async (url) => {
    const error = await refusalOf(fetchImageUrl(url, DEFAULT_URL_FETCH_POLICY));
    expect(error.reason).toBe('IMAGE_URL_FORBIDDEN');
    expect(error.message).toBe('The image URL is not allowed: it points to an address that is not public');
  });

  it('names the rule but never the address a name resolved to', async () => {
    const error = await refusalOf(fetchImageUrl('https://localhost/cat.png', DEFAULT_URL_FETCH_POLICY));
    expect(error.message).not.toMatch(/127\.0\.0\.1|::1/);
  });

  it('refuses before doing anything when the caller has already aborted', async () => {
    const reason = new Error('client went away');
    await expect(
      fetchImageUrl('https://example.com/cat.png', DEFAULT_URL_FETCH_POLICY, AbortSignal.abort(reason)),
    ).rejects.toBe(reason);
  });
});
