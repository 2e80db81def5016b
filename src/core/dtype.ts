/**
 * Element types. float32 for values, int32 for indices and labels.
 *
 * @example
 * const arr = allocate('int32', 4); // Int32Array(4)
 */
export type DType = 'float32' | 'int32';
export type TypedArray = Float32Array | Int32Array;

/** From this many bytes on, allocateEmpty skips the zero fill and the storage allocator serves arrays. */
const POOLED_MIN_BYTES = 4096;

/**
 * A source of ArrayBuffers for tensor storage: exactly `bytes` bytes, zero-filled when `zero`,
 * otherwise with unspecified contents. The native backend installs its storage pool
 * (native/kernels/storage_pool.h), whose buffers give their memory back to the pool when they are
 * collected, so that a training step reuses the pages of the previous one.
 */
export type StorageAllocator = (bytes: number, zero: boolean) => ArrayBuffer;

/**
 * Hands an allocator's buffer back to it at once, detaching it (the buffer and every typed array
 * over it then have length 0); false, doing nothing, for a buffer it did not hand out.
 */
export type StorageRelease = (buffer: ArrayBuffer) => boolean;

/** Told of every buffer the storage allocator hands out (autograd's backward, to free its own). */
export type StorageWatcher = (buffer: ArrayBuffer) => void;

let storage: StorageAllocator | null = null;
let release: StorageRelease | null = null;
let watcher: StorageWatcher | null = null;

/**
 * Routes the allocations of at least 4 KiB made by allocate and allocateEmpty to `allocator`
 * (null: back to plain JavaScript arrays). Arrays already handed out are unaffected.
 *
 * @example
 * setStorageAllocator((bytes, zero) => new ArrayBuffer(bytes)); // what null amounts to, zero or not
 */
export function setStorageAllocator(allocator: StorageAllocator | null): void {
  storage = allocator;
}

/**
 * The storage allocator in force (null: plain JavaScript arrays), to put back after a temporary one.
 *
 * @example
 * const prev = storageAllocator();
 * setStorageAllocator(counting);
 * try { run(); } finally { setStorageAllocator(prev); }
 */
export function storageAllocator(): StorageAllocator | null {
  return storage;
}

/**
 * Installs the function that hands storage back before the collector would (null: none; storage
 * then returns only when collected). The native backend installs its pool's.
 *
 * @example
 * setStorageRelease((buffer) => addon.releaseStorage(buffer));
 */
export function setStorageRelease(fn: StorageRelease | null): void {
  release = fn;
}

/**
 * Hands the storage of `data` (an array, or its ArrayBuffer) back to the allocator now, for reuse by the next allocation: only
 * for an array nothing else will read, since the buffer is detached (it and every view of it,
 * `subarray`s included, become empty: a stale reference reads nothing rather than the next
 * owner's values). Returns whether it was given back (false: not from the storage allocator, or no
 * release installed; the collector frees it as before).
 *
 * @example
 * const scratch = emptyF32(1 << 20);
 * ...                      // use it
 * releaseStorage(scratch); // scratch.length is now 0
 */
export function releaseStorage(data: TypedArray | ArrayBuffer): boolean {
  if (release === null || data.byteLength < POOLED_MIN_BYTES) return false;
  return release(data instanceof ArrayBuffer ? data : (data.buffer as ArrayBuffer));
}

/**
 * Makes `fn` the watcher of storage allocations (null: none); returns the previous one, for the
 * caller to put back.
 *
 * @example
 * const prev = watchStorage((b) => fresh.add(b));
 * try { run(); } finally { watchStorage(prev); }
 */
export function watchStorage(fn: StorageWatcher | null): StorageWatcher | null {
  const prev = watcher;
  watcher = fn;
  return prev;
}

/** A buffer from the storage allocator, reported to the watcher. */
function fromStorage(alloc: StorageAllocator, bytes: number, zero: boolean): ArrayBuffer {
  const buffer = alloc(bytes, zero);
  if (watcher !== null) watcher(buffer);
  return buffer;
}

function view(dtype: DType, buffer: ArrayBuffer, byteOffset: number, size: number): TypedArray {
  return dtype === 'int32' ? new Int32Array(buffer, byteOffset, size) : new Float32Array(buffer, byteOffset, size);
}

/** A fresh zero-filled array of `size` elements of `dtype`. */
export function allocate(dtype: DType, size: number): TypedArray {
  if (storage !== null && size * 4 >= POOLED_MIN_BYTES)
    return view(dtype, fromStorage(storage, size * 4, true), 0, size);
  return dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
}

/**
 * A fresh array of `size` elements of `dtype` whose contents are unspecified (old memory), for the
 * output of a kernel that overwrites every element: a large `new Float32Array` is zero-filled by
 * calloc and then written again by the kernel, a pass over memory that a training step of a CNN
 * spends ~5% of its time on. The memory comes from the storage allocator when one is installed,
 * else from Node's Buffer.allocUnsafeSlow (unpooled, unfilled).
 *
 * @example
 * const out = allocateEmpty('float32', x.size) as Float32Array;
 * getBackend().unary('relu', x.data as Float32Array, out, 0); // writes every element
 */
export function allocateEmpty(dtype: DType, size: number): TypedArray {
  if (size * 4 < POOLED_MIN_BYTES) return allocate(dtype, size);
  if (storage !== null) return view(dtype, fromStorage(storage, size * 4, false), 0, size);
  const bytes = Buffer.allocUnsafeSlow(size * 4);
  return view(dtype, bytes.buffer, bytes.byteOffset, size);
}

/** allocateEmpty for float32. */
export function emptyF32(size: number): Float32Array {
  return allocateEmpty('float32', size) as Float32Array;
}

/**
 * allocate for float32: a zero-filled array, from the storage allocator from 4 KiB on (so tensor
 * storage that a kernel accumulates into, or fills only in part, reuses pooled pages too).
 *
 * @example
 * const gx = zerosF32(x.size); // a gradient that a scatter-add accumulates into
 */
export function zerosF32(size: number): Float32Array {
  return allocate('float32', size) as Float32Array;
}

/** The dtype an existing typed array holds. */
export function dtypeOf(data: TypedArray): DType {
  return data instanceof Int32Array ? 'int32' : 'float32';
}
