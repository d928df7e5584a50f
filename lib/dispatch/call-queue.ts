/**
 * The calls waiting for a free handler slot of `serve({ concurrency })`.
 * @module
 */
import type { JsonRpcCall } from '../protocol/messages.js';

interface Node {
  readonly call: JsonRpcCall;
  previous: Node | undefined;
  next: Node | undefined;
}

/**
 * A first-in first-out queue of calls in which every step is O(1): adding, taking the oldest,
 * and taking out one call wherever it stands (the peer cancelled it). It counts its
 * notifications, which no other table of the connection holds.
 */
export class CallQueue {
  private readonly nodes = new Map<JsonRpcCall, Node>();
  private head: Node | undefined = undefined;
  private tail: Node | undefined = undefined;
  private notificationCount = 0;

  /** Calls waiting. */
  get size(): number {
    return this.nodes.size;
  }

  /** Notifications waiting. */
  get notifications(): number {
    return this.notificationCount;
  }

  push(call: JsonRpcCall): void {
    if (this.nodes.has(call)) return;
    const node: Node = { call, previous: this.tail, next: undefined };
    if (this.tail) this.tail.next = node;
    else this.head = node;
    this.tail = node;
    this.nodes.set(call, node);
    if (call.id === undefined) this.notificationCount++;
  }

  /** Takes the oldest call out. */
  shift(): JsonRpcCall | undefined {
    const node = this.head;
    if (!node) return undefined;
    this.unlink(node);
    return node.call;
  }

  /** Takes `call` out wherever it stands; false when it was not waiting. */
  delete(call: JsonRpcCall): boolean {
    const node = this.nodes.get(call);
    if (!node) return false;
    this.unlink(node);
    return true;
  }

  /** Takes every call out, oldest first. */
  drain(): JsonRpcCall[] {
    const calls: JsonRpcCall[] = [];
    for (let node = this.head; node; node = node.next) calls.push(node.call);
    this.nodes.clear();
    this.head = this.tail = undefined;
    this.notificationCount = 0;
    return calls;
  }

  private unlink(node: Node): void {
    if (node.previous) node.previous.next = node.next;
    else this.head = node.next;
    if (node.next) node.next.previous = node.previous;
    else this.tail = node.previous;
    this.nodes.delete(node.call);
    if (node.call.id === undefined) this.notificationCount--;
  }
}
