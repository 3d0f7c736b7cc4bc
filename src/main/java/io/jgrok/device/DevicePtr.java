package io.jgrok.device;

/**
 * A device memory address (a CUdeviceptr on a GPU, a host address on the emulated device) and the size of the
 * allocation it points into from here on. Plain value; pointer arithmetic with {@link #plus}.
 */
public record DevicePtr(long address, long bytes) {
    public DevicePtr plus(long offsetBytes) {
        if (offsetBytes < 0 || offsetBytes > bytes) {
            throw new IllegalArgumentException("offset " + offsetBytes + " outside a " + bytes + "-byte buffer");
        }
        return new DevicePtr(address + offsetBytes, bytes - offsetBytes);
    }

    /** Pointer to float element {@code index}. */
    public DevicePtr floatAt(long index) {
        return plus(4L * index);
    }
}
