import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { COPIED_MS, Copier } from './clipboard.svelte';

describe('Copier', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('copies and says "Copied" on that button only, for a moment', async () => {
    const written: string[] = [];
    const copier = new Copier(async (text) => void written.push(text));
    expect(await copier.copy('email', 'ann@example.com')).toBeNull();
    expect(written).toEqual(['ann@example.com']);
    expect(copier.label('email')).toBe('Copied');
    expect(copier.label('phone')).toBe('Copy');
    vi.advanceTimersByTime(COPIED_MS - 1);
    expect(copier.label('email')).toBe('Copied');
    vi.advanceTimersByTime(1);
    expect(copier.label('email')).toBe('Copy');
    expect(copier.copied).toBeNull();
  });

  it('moves "Copied" to the button copied last, with a moment of its own', async () => {
    const copier = new Copier(async () => {});
    await copier.copy('a', 'one');
    vi.advanceTimersByTime(COPIED_MS - 500);
    await copier.copy('b', 'two');
    expect([copier.label('a'), copier.label('b')]).toEqual(['Copy', 'Copied']);
    vi.advanceTimersByTime(1000); // the first copy's moment has passed, not the second's
    expect(copier.label('b')).toBe('Copied');
  });

  it('says why it could not copy, on that button, for a moment', async () => {
    const copier = new Copier(() => Promise.reject(new Error('Clipboard denied')));
    const err = await copier.copy('phone', '(555) 210-2030');
    expect(err).toEqual({ code: 'internal', message: 'Clipboard denied' });
    expect(copier.label('phone')).toBe('Copy');
    expect(copier.error('phone')).toBe('Clipboard denied');
    expect(copier.error('email')).toBeNull();
    vi.advanceTimersByTime(COPIED_MS);
    expect(copier.error('phone')).toBeNull();
  });

  it('copies what a function answers, and reports its failure too', async () => {
    const written: string[] = [];
    const copier = new Copier<'sid' | 'url'>(async (text) => void written.push(text));
    await copier.copy('sid', async () => 'secret');
    expect(written).toEqual(['secret']);
    const err = await copier.copy('url', () => Promise.reject({ code: 'forbidden', message: 'Admins only.' }));
    expect(err).toEqual({ code: 'forbidden', message: 'Admins only.' });
    expect(written).toEqual(['secret']);
  });

  it('copies nothing for blank text', async () => {
    const write = vi.fn(async () => {});
    const copier = new Copier(write);
    expect(await copier.copy('x', '  ')).toBeNull();
    expect(write).not.toHaveBeenCalled();
    expect(copier.label('x')).toBe('Copy');
  });
});
