/**
 * An Observable whose direct subscribers cannot hurt their source by throwing.
 * @module
 */
import { Observable, Subscriber, type Observer, type Subscription } from 'rxjs';

/**
 * Wraps the callbacks of a plain subscriber (a function or an observer object) so that an
 * exception thrown from `next` goes to `onThrow` instead of rxjs's global unhandled-error
 * report, which crashes a Node process. Operators' subscribers pass through untouched:
 * errors inside a `pipe()` reach that chain's own error callback, as in any rxjs chain.
 */
export class GuardedObservable<T> extends Observable<T> {
  constructor(
    source$: Observable<T>,
    private readonly onThrow: (error: unknown, value: T) => void,
  ) {
    super((subscriber) => source$.subscribe(subscriber));
  }

  override subscribe(
    observerOrNext?: Partial<Observer<T>> | ((value: T) => void) | null,
  ): Subscription {
    if (observerOrNext instanceof Subscriber || observerOrNext == null) {
      return super.subscribe(observerOrNext ?? undefined);
    }
    const observer: Partial<Observer<T>> =
      typeof observerOrNext === 'function' ? { next: observerOrNext } : observerOrNext;
    const next = observer.next?.bind(observer);
    return super.subscribe({
      next: (value) => {
        try {
          next?.(value);
        } catch (error) {
          this.onThrow(error, value);
        }
      },
      error: observer.error?.bind(observer),
      complete: observer.complete?.bind(observer),
    });
  }
}
