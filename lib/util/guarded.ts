/**
 * An Observable whose direct subscribers cannot hurt their source by throwing.
 *
 * Public rxjs API only (an Observable subclass overriding `subscribe`), with one reliance on
 * how rxjs works: operators and `firstValueFrom` subscribe with `Subscriber` instances, which
 * pass through unwrapped. spec/util/guarded.spec.ts pins it ("passes operators and
 * firstValueFrom through untouched").
 * @module
 */
import { Observable, Subscriber, type Observer, type Subscription } from 'rxjs';

/**
 * Where a subscriber's throw goes: with the value its `next` was given, or `undefined` when
 * `error` or `complete` threw.
 */
export type OnSubscriberThrow<T> = (error: unknown, value: T | undefined) => void;

/**
 * An Observable like any other, but for one thing: an exception thrown by a subscriber's own
 * callback (`next`, `error` or `complete`, in any of rxjs's subscribe forms) goes to `onThrow`
 * instead of rxjs's global unhandled-error report, which crashes a Node process. Operators'
 * subscribers pass through untouched: errors inside a `pipe()` reach that chain's own error
 * callback, as in any rxjs chain. An error the source sends to a subscriber without an `error`
 * callback is reported by rxjs as usual.
 */
export class GuardedObservable<T> extends Observable<T> {
  constructor(
    source$: Observable<T>,
    private readonly onThrow: OnSubscriberThrow<T>,
  ) {
    super((subscriber) => source$.subscribe(subscriber));
  }

  override subscribe(observerOrNext?: Partial<Observer<T>> | ((value: T) => void)): Subscription;
  /** @deprecated rxjs's own deprecation: pass an observer object instead. */
  override subscribe(
    next?: ((value: T) => void) | null,
    error?: ((error: unknown) => void) | null,
    complete?: (() => void) | null,
  ): Subscription;
  override subscribe(
    observerOrNext?: Partial<Observer<T>> | ((value: T) => void) | null,
    error?: ((error: unknown) => void) | null,
    complete?: (() => void) | null,
  ): Subscription {
    if (observerOrNext instanceof Subscriber) return super.subscribe(observerOrNext);
    const observer: Partial<Observer<T>> =
      typeof observerOrNext === 'object' && observerOrNext !== null
        ? observerOrNext
        : {
            next: observerOrNext ?? undefined,
            error: error ?? undefined,
            complete: complete ?? undefined,
          };
    return super.subscribe(new GuardedObserver(observer, this.onThrow));
  }
}

/** Calls a partial observer's callbacks as methods of it (as rxjs does), catching their throws. */
class GuardedObserver<T> implements Observer<T> {
  constructor(
    private readonly observer: Partial<Observer<T>>,
    private readonly onThrow: OnSubscriberThrow<T>,
  ) {}

  next(value: T): void {
    try {
      this.observer.next?.(value);
    } catch (thrown) {
      this.onThrow(thrown, value);
    }
  }

  error(error: unknown): void {
    // Without a callback of its own, the error is rxjs's to report, as for any Observable.
    if (!this.observer.error) throw error;
    try {
      this.observer.error(error);
    } catch (thrown) {
      this.onThrow(thrown, undefined);
    }
  }

  complete(): void {
    try {
      this.observer.complete?.();
    } catch (thrown) {
      this.onThrow(thrown, undefined);
    }
  }
}
