import { expect } from 'chai';
import { Observable, Subscription } from 'rxjs';
import { OneTeardownSubscriber } from '../../lib/connection/one-teardown.js';

class Recorder extends OneTeardownSubscriber<number> {
  readonly values: number[] = [];
  protected override _next(value: number): void {
    this.values.push(value);
  }
}

describe('OneTeardownSubscriber', () => {
  it('runs every teardown once on unsubscribe: the first from its field, others from rxjs', () => {
    const log: string[] = [];
    const subscriber = new Recorder();
    subscriber.add(() => log.push('first'));
    subscriber.add({ unsubscribe: () => log.push('second') });
    const child = new Subscription(() => log.push('child'));
    subscriber.add(child);
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

  it('subscribes to an Observable as itself and tears the source down on unsubscribe', () => {
    let tornDown = 0;
    const source = new Observable<number>((s) => {
      s.next(1);
      s.next(2);
      return () => tornDown++;
    });
    const subscriber = new Recorder();
    const subscription = source.subscribe(subscriber);
    expect(subscription).to.equal(subscriber);
    expect(subscriber.values).to.deep.equal([1, 2]);
    expect(tornDown).to.equal(0);
    subscription.unsubscribe();
    expect(tornDown).to.equal(1);
  });
});
