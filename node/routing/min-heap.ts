/**
 * A binary min-heap of integer items keyed by numbers, on typed arrays.
 * Decrease-key is done lazily: push the item again with its smaller key and
 * let the caller skip stale entries when they surface. That keeps the heap
 * free of a position index and is faster for the sparse graphs routing sees.
 */
export class MinHeap {
  #keys: Float64Array
  #items: Int32Array
  #size = 0

  constructor(capacity = 64) {
    this.#keys = new Float64Array(Math.max(capacity, 4))
    this.#items = new Int32Array(Math.max(capacity, 4))
  }

  get size(): number {
    return this.#size
  }

  clear(): void {
    this.#size = 0
  }

  push(item: number, key: number): void {
    if (this.#size === this.#keys.length) this.#grow()
    const keys = this.#keys
    const items = this.#items
    let at = this.#size++
    while (at > 0) {
      const parent = (at - 1) >> 1
      if (keys[parent]! <= key) break
      keys[at] = keys[parent]!
      items[at] = items[parent]!
      at = parent
    }
    keys[at] = key
    items[at] = item
  }

  /** Key of the smallest entry; only meaningful when `size > 0`. */
  peekKey(): number {
    return this.#keys[0]!
  }

  /** Removes the smallest entry and returns its item; only call when `size > 0`. */
  pop(): number {
    const keys = this.#keys
    const items = this.#items
    const top = items[0]!
    const last = --this.#size
    if (last === 0) return top
    const key = keys[last]!
    const item = items[last]!
    let at = 0
    for (;;) {
      let child = 2 * at + 1
      if (child >= last) break
      if (child + 1 < last && keys[child + 1]! < keys[child]!) child++
      if (keys[child]! >= key) break
      keys[at] = keys[child]!
      items[at] = items[child]!
      at = child
    }
    keys[at] = key
    items[at] = item
    return top
  }

  #grow(): void {
    const keys = new Float64Array(this.#keys.length * 2)
    const items = new Int32Array(this.#items.length * 2)
    keys.set(this.#keys)
    items.set(this.#items)
    this.#keys = keys
    this.#items = items
  }
}
