package io.jgrok.device;

import java.util.Map;
import java.util.TreeMap;

/**
 * The live allocations of a device, so that copies, memsets and pointer arguments can be checked before they reach
 * native code: on a GPU a stray pointer is a sticky launch failure at best, on the emulated device it would be a
 * crash of the JVM. Both implementations use it.
 */
final class Allocations {
    private final TreeMap<Long, Long> live = new TreeMap<>();

    void add(long address, long bytes) {
        live.put(address, bytes);
    }

    /** Removes the allocation that starts at {@code address}; returns its size. */
    long remove(DevicePtr ptr) {
        Long bytes = live.remove(ptr.address());
        if (bytes == null) {
            throw new DeviceException("free of " + hex(ptr.address()) + ", which is not the start of a live "
                    + "allocation (freed twice, or a pointer into the middle of a buffer?)");
        }
        return bytes;
    }

    /** Requires [ptr, ptr + bytes) to lie inside one live allocation and inside the range the DevicePtr allows. */
    void requireRange(DevicePtr ptr, long bytes, String operation) {
        if (bytes < 0) {
            throw new IllegalArgumentException(operation + ": negative size " + bytes);
        }
        if (bytes > ptr.bytes()) {
            throw new DeviceException(operation + ": " + bytes + " bytes at " + hex(ptr.address())
                    + " overrun the " + ptr.bytes() + " bytes that DevicePtr covers");
        }
        requireLive(ptr.address(), bytes, operation);
    }

    /** Requires a kernel's pointer argument to be null or to point into (or just past) a live allocation. */
    void requirePointerArgument(long address, String kernel, int index) {
        if (address != 0) {
            requireLive(address, 0, "kernel " + kernel + " argument " + index);
        }
    }

    int count() {
        return live.size();
    }

    Iterable<Long> addresses() {
        return live.keySet();
    }

    private void requireLive(long address, long bytes, String operation) {
        Map.Entry<Long, Long> e = live.floorEntry(address);
        if (e == null || address + bytes > e.getKey() + e.getValue()
                || (bytes == 0 && address > e.getKey() + e.getValue())) {
            throw new DeviceException(operation + ": " + hex(address) + (bytes > 0 ? " (+" + bytes + " bytes)" : "")
                    + " is not inside a live allocation");
        }
    }

    static String hex(long address) {
        return "0x" + Long.toHexString(address);
    }
}
