import { describe, expect, it, vi } from 'vitest';
import { get, writable } from 'svelte/store';
import { fold, live, onChange, stream, type Unlisten } from './live';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** An engine event: `listen` is answered when the test says, `send` delivers a payload. */
function fakeEvent<T>() {
  let handler: ((payload: T) => void) | null = null;
  const subscribed = deferred<Unlisten>();
  const unlisten = vi.fn(() => (handler = null));
  const listen = vi.fn((h: (payload: T) => void) => {
    handler = h;
    return subscribed.promise;
  });
  return {
    listen,
    unlisten,
    ready: () => subscribed.resolve(unlisten),
    fail: () => subscribed.reject(new Error('no events here')),
    send: (payload: T) => handler?.(payload),
  };
}

describe('live', () => {
  it('subscribes first and fetches only once subscribed', async () => {
    const event = fakeEvent<number>();
    const fetch = vi.fn(() => Promise.resolve(5));
    const store = live({ initial: 0, listen: event.listen, fetch });
    const seen: number[] = [];
    const stop = store.subscribe((v) => seen.push(v));

    expect(event.listen).toHaveBeenCalledOnce();
    await settle();
    expect(fetch).not.toHaveBeenCalled();

    event.ready();
    await settle();
    expect(fetch).toHaveBeenCalledOnce();
    expect(seen).toEqual([0, 5]);
    stop();
  });

  it('lets an event heard while the fetch is in flight win over its answer', async () => {
    const event = fakeEvent<string>();
    const answer = deferred<string>();
    const store = live({ initial: 'start', listen: event.listen, fetch: () => answer.promise });
    const seen: string[] = [];
    const stop = store.subscribe((v) => seen.push(v));
    event.ready();
    await settle();

    event.send('from the event');
    answer.resolve('stale answer');
    await settle();

    expect(get(store)).toBe('from the event');
    expect(seen).toEqual(['start', 'from the event']);
    stop();
  });

  it('applies events that come after the answer', async () => {
    const event = fakeEvent<string>();
    const store = live({ initial: 'start', listen: event.listen, fetch: () => Promise.resolve('answer') });
    const stop = store.subscribe(() => {});
    event.ready();
    await settle();
    expect(get(store)).toBe('answer');
    event.send('later');
    expect(get(store)).toBe('later');
    stop();
  });

  it('hears events sent before the subscription is confirmed', async () => {
    const event = fakeEvent<string>();
    const answer = deferred<string>();
    const store = live({ initial: 'start', listen: event.listen, fetch: () => answer.promise });
    const stop = store.subscribe(() => {});
    event.send('early');
    expect(get(store)).toBe('early');
    event.ready();
    await settle();
    answer.resolve('answer');
    await settle();
    // The fetch was sent after the event: its answer is the newer.
    expect(get(store)).toBe('answer');
    stop();
  });

  it('counts a value set here as news over a fetch in flight', async () => {
    const event = fakeEvent<string>();
    const answer = deferred<string>();
    const store = live({ initial: 'start', listen: event.listen, fetch: () => answer.promise });
    const stop = store.subscribe(() => {});
    event.ready();
    await settle();
    store.set('saved here');
    answer.resolve('stale answer');
    await settle();
    expect(get(store)).toBe('saved here');
    stop();
  });

  it('still fetches when it cannot subscribe, and fetches alone without an event', async () => {
    const event = fakeEvent<number>();
    const store = live({ initial: 0, listen: event.listen, fetch: () => Promise.resolve(3) });
    const stop = store.subscribe(() => {});
    event.fail();
    await settle();
    expect(get(store)).toBe(3);
    stop();

    const fetched = live({ initial: 0, fetch: () => Promise.resolve(4) });
    const stop2 = fetched.subscribe(() => {});
    await settle();
    expect(get(fetched)).toBe(4);
    stop2();
  });

  it('ignores values it does not accept, from events and answers', async () => {
    const event = fakeEvent<number | null>();
    const store = live<number | null>({
      initial: 0,
      listen: event.listen,
      fetch: () => Promise.resolve(null),
      accept: (v) => typeof v === 'number',
    });
    const stop = store.subscribe(() => {});
    event.ready();
    await settle();
    expect(get(store)).toBe(0);
    event.send(null);
    expect(get(store)).toBe(0);
    event.send(2);
    expect(get(store)).toBe(2);
    stop();
  });

  it('shares one subscription, stops with the last subscriber and starts afresh', async () => {
    const event = fakeEvent<number>();
    const fetch = vi.fn(() => Promise.resolve(1));
    const store = live({ initial: 0, listen: event.listen, fetch });
    const a = store.subscribe(() => {});
    const b = store.subscribe(() => {});
    expect(event.listen).toHaveBeenCalledOnce();
    event.ready();
    await settle();
    event.send(7);
    a();
    expect(event.unlisten).not.toHaveBeenCalled();
    b();
    expect(event.unlisten).toHaveBeenCalledOnce();

    const c = store.subscribe(() => {});
    expect(get(store)).toBe(0); // the last session's value is not shown again
    expect(event.listen).toHaveBeenCalledTimes(2);
    c();
  });

  it('drops what a stopped session hears or is answered, and unlistens once subscribed', async () => {
    const event = fakeEvent<string>();
    const answer = deferred<string>();
    const store = live({ initial: 'start', listen: event.listen, fetch: () => answer.promise });
    const seen: string[] = [];
    const stop = store.subscribe((v) => seen.push(v));
    stop();
    event.ready(); // confirmed after the stop: unsubscribed at once, never fetched
    await settle();
    expect(event.unlisten).toHaveBeenCalledOnce();
    answer.resolve('late');
    await settle();
    expect(seen).toEqual(['start']);
  });

  it('fetches again on refresh, and drops an answer older than a value set meanwhile', async () => {
    const answers: ReturnType<typeof deferred<string>>[] = [];
    const fetch = vi.fn(() => {
      const answer = deferred<string>();
      answers.push(answer);
      return answer.promise;
    });
    const store = live({ initial: 'start', fetch });
    const stop = store.subscribe(() => {});
    await settle();
    answers[0].resolve('first');
    await settle();
    expect(get(store)).toBe('first');

    const refreshed = store.refresh();
    expect(fetch).toHaveBeenCalledTimes(2);
    store.set('told by a command'); // e.g. the desk a call's outcome answered
    answers[1].resolve('stale desk');
    await refreshed;
    expect(get(store)).toBe('told by a command');

    void store.refresh();
    answers[2].resolve('fresh desk');
    await settle();
    expect(get(store)).toBe('fresh desk');
    stop();
  });

  it('keeps the answer of the last refresh sent, whatever order they answer in', async () => {
    const answers: ReturnType<typeof deferred<number>>[] = [];
    const store = live({
      initial: 0,
      fetch: () => {
        const answer = deferred<number>();
        answers.push(answer);
        return answer.promise;
      },
    });
    const stop = store.subscribe(() => {});
    await settle();
    answers[0].resolve(1);
    void store.refresh();
    void store.refresh();
    answers[2].resolve(3);
    await settle();
    answers[1].resolve(2);
    await settle();
    expect(get(store)).toBe(3);
    stop();
  });

  it('does not fetch on refresh with no subscriber', async () => {
    const fetch = vi.fn(() => Promise.resolve(1));
    const store = live({ initial: 0, fetch });
    await store.refresh();
    expect(fetch).not.toHaveBeenCalled();
  });

  it('tells every value to the subscribers, equal or not', async () => {
    const event = fakeEvent<{ n: number }>();
    const store = live({ initial: { n: 0 }, listen: event.listen });
    const seen: number[] = [];
    const stop = store.subscribe((v) => seen.push(v.n));
    event.send({ n: 1 });
    event.send({ n: 1 });
    expect(seen).toEqual([0, 1, 1]);
    stop();
  });
});

describe('fold', () => {
  it('steps through every value from the initial state, and starts again at each start', () => {
    const source = writable('a');
    const folded = fold(source, '', (state, value) => state + value);
    const seen: string[] = [];
    const stop = folded.subscribe((v) => seen.push(v));
    source.set('b');
    source.set('c');
    expect(seen).toEqual(['a', 'ab', 'abc']);
    stop();
    const again = folded.subscribe(() => {});
    expect(get(folded)).toBe('c');
    again();
  });
});

describe('onChange', () => {
  it('tells the values taken from now on, not the one held', () => {
    const source = writable(1);
    const seen: number[] = [];
    const stop = onChange(source, (v) => seen.push(v));
    source.set(2);
    stop();
    source.set(3);
    expect(seen).toEqual([2]);
  });
});

describe('stream', () => {
  it('listens once for all handlers, and stops with the last', async () => {
    const event = fakeEvent<string>();
    const events = stream({ listen: event.listen });
    const a: string[] = [];
    const b: string[] = [];
    const offA = events.on((e) => a.push(e));
    const offB = events.on((e) => b.push(e));
    expect(event.listen).toHaveBeenCalledOnce();
    event.ready();
    await settle();
    event.send('one');
    offA();
    event.send('two');
    expect(a).toEqual(['one']);
    expect(b).toEqual(['one', 'two']);
    offB();
    expect(event.unlisten).toHaveBeenCalledOnce();
  });

  it('runs `listening` once listening, and filters what it does not accept', async () => {
    const event = fakeEvent<string>();
    const order: string[] = [];
    const events = stream<string>({
      listen: event.listen,
      accept: (e) => e !== '',
      listening: (emit) => {
        order.push('listening');
        emit('asked before');
        emit('');
      },
    });
    const off = events.on((e) => order.push(e));
    await settle();
    expect(order).toEqual([]);
    event.ready();
    await settle();
    event.send('');
    events.emit('from here');
    expect(order).toEqual(['listening', 'asked before', 'from here']);
    off();
  });

  it('unlistens when listening is confirmed after the last handler left', async () => {
    const event = fakeEvent<string>();
    const listening = vi.fn();
    const events = stream({ listen: event.listen, listening });
    const off = events.on(() => {});
    off();
    event.ready();
    await settle();
    expect(event.unlisten).toHaveBeenCalledOnce();
    expect(listening).not.toHaveBeenCalled();
  });
});
