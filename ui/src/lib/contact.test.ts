import { describe, expect, it } from 'vitest';
import { mailtoHref, telHref } from './contact';

describe('telHref', () => {
  it('adds +1 to 10-digit US numbers, however written', () => {
    expect(telHref('3125550199')).toBe('tel:+13125550199');
    expect(telHref('(312) 555-0199')).toBe('tel:+13125550199');
    expect(telHref('312.555.0199')).toBe('tel:+13125550199');
  });
  it('keeps a US country code once', () => {
    expect(telHref('+1 312 555 0199')).toBe('tel:+13125550199');
    expect(telHref('1-312-555-0199')).toBe('tel:+13125550199');
  });
  it('keeps other numbers as their digits', () => {
    expect(telHref('+44 20 7946 0958')).toBe('tel:+442079460958');
    expect(telHref('555-0199')).toBe('tel:5550199');
  });
  it('never links anything but digits', () => {
    expect(telHref('javascript:alert(1)')).toBe('tel:1');
    expect(telHref('<b>none</b>')).toBeNull();
    expect(telHref('')).toBeNull();
    expect(telHref(null)).toBeNull();
  });
});

describe('mailtoHref', () => {
  it('links a plain address', () => {
    expect(mailtoHref('rosa@example.com')).toBe('mailto:rosa@example.com');
    expect(mailtoHref('  rosa@example.com ')).toBe('mailto:rosa@example.com');
  });
  it('refuses anything that is not one plain address', () => {
    expect(mailtoHref('rosa@example.com?bcc=evil@example.com')).toBeNull();
    expect(mailtoHref('a@b@c')).toBeNull();
    expect(mailtoHref('rosa diaz@example.com')).toBeNull();
    expect(mailtoHref('javascript:alert(1)//@x')).toBeNull();
    expect(mailtoHref('not an email')).toBeNull();
    expect(mailtoHref(null)).toBeNull();
  });
});
