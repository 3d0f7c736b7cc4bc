package io.jgrok.analysis;

import io.jgrok.device.Device;
import io.jgrok.device.DevicePtr;

import java.util.ArrayList;
import java.util.List;

/**
 * The device buffers of one backend call, freed together when it ends. With {@code poison}, every buffer is filled
 * with 0xFF bytes (NaN as float and double) before a kernel writes it, so an element a kernel fails to write shows
 * up as NaN in the result on a GPU too (the emulated device poisons fresh allocations itself).
 */
final class DeviceScratch implements AutoCloseable {
    private final Device device;
    private final boolean poison;
    private final List<DevicePtr> buffers = new ArrayList<>();

    DeviceScratch(Device device, boolean poison) {
        this.device = device;
        this.poison = poison;
    }

    DevicePtr floats(long count) {
        return bytes(4L * count);
    }

    DevicePtr doubles(long count) {
        return bytes(8L * count);
    }

    DevicePtr ints(long count) {
        return bytes(4L * count);
    }

    /** A buffer of at least one element's size, so that an empty table is still a valid kernel argument. */
    private DevicePtr bytes(long bytes) {
        DevicePtr p = device.alloc(Math.max(8, bytes));
        buffers.add(p);
        if (poison) {
            device.memset(p, 0xFF, p.bytes());
        }
        return p;
    }

    DevicePtr upload(float[] values) {
        DevicePtr p = floats(values.length);
        device.copyToDevice(p, values, 0, values.length);
        return p;
    }

    DevicePtr upload(double[] values) {
        DevicePtr p = doubles(values.length);
        device.copyToDevice(p, values, 0, values.length);
        return p;
    }

    DevicePtr upload(int[] values) {
        DevicePtr p = ints(values.length);
        device.copyToDevice(p, values, 0, values.length);
        return p;
    }

    /** Uploads equal-length arrays back to back: [arrays.length][length]. */
    DevicePtr uploadBatch(float[][] arrays, int length) {
        DevicePtr p = floats((long) arrays.length * length);
        for (int b = 0; b < arrays.length; b++) {
            if (arrays[b].length != length) {
                throw new IllegalArgumentException("batch entry " + b + ": expected " + length + " values, got "
                        + arrays[b].length);
            }
            device.copyToDevice(p.floatAt((long) b * length), arrays[b], 0, length);
        }
        return p;
    }

    float[] downloadFloats(DevicePtr p, int count) {
        float[] out = new float[count];
        device.copyToHost(out, 0, p, count);
        return out;
    }

    double[] downloadDoubles(DevicePtr p, int count) {
        double[] out = new double[count];
        device.copyToHost(out, 0, p, count);
        return out;
    }

    @Override
    public void close() {
        for (int i = buffers.size() - 1; i >= 0; i--) {
            device.free(buffers.get(i));
        }
        buffers.clear();
    }
}
