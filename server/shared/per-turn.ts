/**
 * Collects what is handed over during one turn of the event loop and passes it on together when
 * the turn ends (setImmediate): under load, one write or one message between threads for many
 * items instead of one each. `flush()` passes on what waits now (at exit, say); `take()` returns it
 * instead (when where it would go is gone).
 */
export function perTurn<T>(deliver: (items: T[]) => void): { add(item: T): void; flush(): void; take(): T[] } {
  let pending: T[] = [];
  let scheduled = false;
  const take = () => {
    const items = pending;
    pending = [];
    return items;
  };
  const flush = () => {
    scheduled = false;
    if (pending.length > 0) deliver(take());
  };
  return {
    add(item) {
      pending.push(item);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
    take,
  };
}
