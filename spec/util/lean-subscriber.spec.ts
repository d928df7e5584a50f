/**
 * Pins what LeanSubscriber relies on in rxjs: an rxjs upgrade that changes any of it fails
 * here, not in a user's app.
 */
import { expect } from 'chai';
import { Observable, Subject, Subscription } from 'rxjs';
import { LeanSubscriber } from '../../lib/util/lean-subscriber.js';

class Recorder extends LeanSubscriber<number> {
  readonly log: string[] = [];
  protected onNext(value: number): void {
    this.log.push(`next ${value}`);
  }
  protected onError(error: unknown): void {
    this.log.push(`error ${String(error)} closed=${this.closed}`);
  }
  protected onComplete(): void {
    this.log.push(`complete closed=${this.closed}`);
  }
}

describe('LeanSubscriber', () => {
  it('is subscribed as itself: no wrapper, and its methods get the values', () => {
    let tornDown = 0;
    const source = new Observable<number>((s) => {
      s.next(1);
      s.next(2);
      return () => tornDown++;
    });
    const subscriber = new Recorder();
    const subscription = source.subscribe(subscriber);
    expect(subscription).to.equal(subscriber);
    expect(subscriber.log).to.deep.equal(['next 1', 'next 2']);
    expect(tornDown).to.equal(0);
    subscription.unsubscribe();
    subscription.unsubscribe();
    expect(tornDown).to.equal(1);
  });

  it('keeps the source teardown in its field, not in rxjs finalizer array', () => {
    const subscriber = new Recorder();
    new Observable<number>(() => () => undefined).subscribe(subscriber);
    // The memory this class exists to save: rxjs 7 makes `_finalizers` on the first add().
    expect((subscriber as unknown as { _finalizers: unknown })._finalizers).to.equal(null);
  });

  it('hears an error once, closed, with the source torn down first; nothing after it', () => {
    const log: string[] = [];
    const subject = new Subject<number>();
    const source = new Observable<number>((s) => {
      const inner = subject.subscribe(s);
      return () => {
        log.push('teardown');
        inner.unsubscribe();
      };
    });
    const subscriber = new Recorder();
    source.subscribe(subscriber);
    subject.next(1);
    subject.error('boom');
    subject.next(2);
    expect(subscriber.log).to.deep.equal(['next 1', 'error boom closed=true']);
    expect(log).to.deep.equal(['teardown']);
    expect(subject.observed).to.equal(false);
  });

  it('hears completion once, closed; nothing after it', () => {
    const subscriber = new Recorder();
    new Observable<number>((s) => {
      s.next(1);
      s.complete();
      s.next(2);
      s.complete();
      s.error('late');
    }).subscribe(subscriber);
    expect(subscriber.log).to.deep.equal(['next 1', 'complete closed=true']);
  });

  it('hears nothing once unsubscribed', () => {
    const subject = new Subject<number>();
    const subscriber = new Recorder();
    subject.subscribe(subscriber);
    subscriber.unsubscribe();
    subject.next(1);
    subject.complete();
    expect(subscriber.log).to.deep.equal([]);
    expect(subject.observed).to.equal(false);
  });

  it('runs every teardown once on unsubscribe: the first from its field, others from rxjs', () => {
    const log: string[] = [];
    const subscriber = new Recorder();
    subscriber.add(() => log.push('first'));
    subscriber.add({ unsubscribe: () => log.push('second') });
    subscriber.add(new Subscription(() => log.push('child')));
    subscriber.unsubscribe();
    subscriber.unsubscribe();
    expect(log).to.have.members(['first', 'second', 'child']);
    expect(log).to.have.length(3);
    expect(subscriber.closed).to.equal(true);
  });

  it('runs a teardown added after unsubscribe at once', () => {
    const subscriber = new Recorder();
    subscriber.unsubscribe();
    let ran = 0;
    subscriber.add(() => ran++);
    expect(ran).to.equal(1);
  });

  it('sends a throw from its own method out of next(), to the source', () => {
    class Throwing extends Recorder {
      protected override onNext(): void {
        throw new Error('from onNext');
      }
    }
    const subject = new Subject<number>();
    const subscriber = new Throwing();
    subject.subscribe(subscriber);
    expect(() => subject.next(1)).to.throw('from onNext');
  });
});
