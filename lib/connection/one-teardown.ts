/**
 * A Subscriber that keeps its first teardown in a field.
 * @module
 */
import { Subscriber, Subscription, type TeardownLogic } from 'rxjs';

/**
 * rxjs keeps a subscriber's teardowns in an array made on the first `add()`, with room for
 * sixteen; a transport adds one. Kept in a field, it costs a pointer: an idle connection is
 * ~180 bytes smaller. Further teardowns (and Subscriptions, which link back to their parent)
 * go to rxjs's array as usual.
 */
export abstract class OneTeardownSubscriber<T> extends Subscriber<T> {
  private teardown: TeardownLogic = undefined;

  override add(teardown: TeardownLogic): void {
    if (this.teardown === undefined && !this.closed && !(teardown instanceof Subscription)) {
      this.teardown = teardown;
    } else {
      super.add(teardown);
    }
  }

  override unsubscribe(): void {
    if (this.closed) return;
    super.unsubscribe();
    const { teardown } = this;
    this.teardown = undefined;
    if (typeof teardown === 'function') teardown();
    else teardown?.unsubscribe();
  }
}
