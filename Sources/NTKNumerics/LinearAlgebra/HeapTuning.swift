#if canImport(Glibc)
import Glibc
#endif

/// Process-wide settings of the C heap that every array of the library comes from.
///
/// A GD step allocates its activations, derivatives and gradients afresh (N × width and width × width arrays of
/// 0.1–8 MB). With glibc's defaults, blocks of 128 KiB and more start out mapped from the kernel and unmapped when
/// freed, and free memory at the top of the heap is returned as soon as it exceeds a small threshold, so every step
/// faulted its arrays in page by page again: about 13% of a small run's time went to page faults, munmap and brk. Callers that own the
/// process (the `ntk-dynamics` and `ntk-bench` executables) call ``retainFreedMemory()`` once at start.
public enum HeapTuning {
    /// Blocks below this size come from the heap and are reused (glibc's largest allowed threshold on 64-bit).
    public static let mmapThreshold: Int32 = 32 << 20
    /// Free memory kept at the top of the heap before it is returned to the system.
    public static let trimThreshold: Int32 = 64 << 20

    /// Keeps freed blocks below ``mmapThreshold`` in the heap for reuse instead of unmapping them, and returns free
    /// heap memory only above ``trimThreshold``. Memory kept was in use before, but the heap can fragment: peak
    /// resident memory of a run with N = 1536, width 256 grew from 161 to 174 MB. Blocks of 32 MiB and more (the
    /// kernels from N·k = 2048 on) are still mapped and unmapped per use.
    /// Returns whether the C library accepted both settings (false where there is no glibc `mallopt`).
    @discardableResult
    public static func retainFreedMemory() -> Bool {
        #if canImport(Glibc)
        // mallopt(3) is not exported by Swift's Glibc module; look it up by name with its C signature.
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return false }
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        let mMmapThreshold: Int32 = -3, mTrimThreshold: Int32 = -1   // <malloc.h>
        return mallopt(mMmapThreshold, mmapThreshold) == 1 && mallopt(mTrimThreshold, trimThreshold) == 1
        #else
        return false
        #endif
    }
}
