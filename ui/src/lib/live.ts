// Values and events from the engine, shared by every component that shows them. A value listens
// first and then fetches once, so no change can slip in between; see `live`.
import type { Readable, Unsubscriber } from 'svelte/store';

export type Unlisten = () => void;
export type Listen<T> = (handler: (payload: T) => void) => Promise<Unlisten>;

export interface LiveSource<T> {
  /** The value before anything is heard, again at each start. */
  initial: T;
  /** Subscribes to the event that carries the new value. */
  listen?: Listen<T>;
  /** Asks for the current value. */
  fetch?: () => Promise<T>;
  /** Payloads (and answers) it refuses are ignored. */
  accept?: (value: T) => boolean;
}

/**
 * A Svelte store of an engine value; `set` applies a value a command answered, as news;
 * `refresh` fetches it again (while subscribed), under the same rule as the first fetch.
 */
export interface Live<T> extends Readable<T> {
  set(value: T): void;
  refresh(): Promise<void>;
}

/** Payloads that are objects (the engine's values), before their fields are looked at. */
export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/**
 * A store of the value an event carries. With its first subscriber it subscribes to the event,
 * then (once that is done, or failed) fetches the current value; with its last it unsubscribes.
 * The rule for an answer: a value heard after the fetch was sent (an event, or `set`) wins, and
 * so does the answer of a fetch sent after it; the answer, possibly older, is dropped.
 */
export function live<T>({ initial, listen, fetch, accept = () => true }: LiveSource<T>): Live<T> {
  const subscribers = new Set<{ run: (value: T) => void }>();
  let value = initial;
  // Bumped by every start and stop: what an older start hears or is answered is dropped.
  let session = 0;
  // Bumped by every value heard (an event, or `set`).
  let heard = 0;
  // Bumped by every fetch sent; the last whose answer was applied.
  let asked = 0;
  let answered = 0;
  let unlisten: Unlisten | null = null;

  function show(next: T) {
    value = next;
    for (const subscriber of [...subscribers]) subscriber.run(next);
  }

  function apply(next: T) {
    if (!accept(next)) return;
    heard++;
    show(next);
  }

  /** Fetches the value for session `mine`; its answer applies unless something newer came first. */
  function ask(mine: number): Promise<void> {
    if (!fetch) return Promise.resolve();
    const seq = ++asked;
    const before = heard;
    return fetch().then(
      (answer) => {
        if (mine !== session || before !== heard || seq < answered || !accept(answer)) return;
        answered = seq;
        show(answer);
      },
      () => {},
    );
  }

  function start() {
    const mine = ++session;
    value = initial;
    const listening = listen
      ? listen((payload) => {
          if (mine === session) apply(payload);
        }).then(
          (stop) => {
            if (mine === session) unlisten = stop;
            else stop();
          },
          () => {}, // without the event, the value is fetched once
        )
      : Promise.resolve();
    if (!fetch) return;
    void listening.then(() => {
      if (mine === session) void ask(mine);
    });
  }

  function stop() {
    session++;
    unlisten?.();
    unlisten = null;
  }

  return {
    subscribe(run: (value: T) => void): Unsubscriber {
      const subscriber = { run };
      subscribers.add(subscriber);
      if (subscribers.size === 1) start();
      run(value);
      return () => {
        if (subscribers.delete(subscriber) && subscribers.size === 0) stop();
      };
    },
    set: apply,
    refresh: () => (subscribers.size > 0 ? ask(session) : Promise.resolve()),
  };
}

/** A store of `step` applied to every value of `source` in turn, from `initial` at each start. */
export function fold<S, T>(source: Readable<T>, initial: S, step: (state: S, value: T) => S): Readable<S> {
  const subscribers = new Set<{ run: (value: S) => void }>();
  let state = initial;
  let stopSource: Unsubscriber | null = null;

  return {
    subscribe(run: (value: S) => void): Unsubscriber {
      const subscriber = { run };
      subscribers.add(subscriber);
      if (subscribers.size === 1) {
        state = initial;
        let starting = true; // the source's current value: told below, with the rest
        stopSource = source.subscribe((value) => {
          state = step(state, value);
          if (!starting) for (const s of [...subscribers]) s.run(state);
        });
        starting = false;
      }
      run(state);
      return () => {
        if (subscribers.delete(subscriber) && subscribers.size === 0) {
          stopSource?.();
          stopSource = null;
        }
      };
    },
  };
}

/** Calls `handler` with each value `store` takes from now on (not the one it holds). */
export function onChange<T>(store: Readable<T>, handler: (value: T) => void): Unsubscriber {
  let now = true;
  const stop = store.subscribe((value) => {
    if (!now) handler(value);
  });
  now = false;
  return stop;
}

/** Events shared by every component that listens: one engine listener while any is. */
export interface Stream<T> {
  /** Calls `handler` with each event until the returned function is called. */
  on(handler: (event: T) => void): Unlisten;
  /** Hands `event` to the handlers now (an event of the UI's own, e.g. an import ran). */
  emit(event: T): void;
}

export interface StreamSource<T> {
  listen?: Listen<T>;
  accept?: (event: T) => boolean;
  /** Once listening (or failing to): e.g. emits what happened before it listened. */
  listening?: (emit: (event: T) => void) => void;
}

export function stream<T>({ listen, accept = () => true, listening }: StreamSource<T> = {}): Stream<T> {
  const handlers = new Set<{ handle: (event: T) => void }>();
  let session = 0;
  let unlisten: Unlisten | null = null;

  function emit(event: T) {
    if (!accept(event)) return;
    for (const handler of [...handlers]) handler.handle(event);
  }

  function start() {
    const mine = ++session;
    const current = (event: T) => {
      if (mine === session) emit(event);
    };
    const ready = listen
      ? listen(current).then(
          (stop) => {
            if (mine === session) unlisten = stop;
            else stop();
          },
          () => {},
        )
      : Promise.resolve();
    if (listening) void ready.then(() => mine === session && listening(current));
  }

  function stop() {
    session++;
    unlisten?.();
    unlisten = null;
  }

  return {
    on(handle: (event: T) => void): Unlisten {
      const handler = { handle };
      handlers.add(handler);
      if (handlers.size === 1) start();
      return () => {
        if (handlers.delete(handler) && handlers.size === 0) stop();
      };
    },
    emit,
  };
}
