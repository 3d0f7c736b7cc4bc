package io.jgrok.analysis;

import io.jgrok.device.Device;
import io.jgrok.device.DevicePtr;
import io.jgrok.device.Dim3;
import io.jgrok.device.KernelArgs;

/** The second stage of the analysis reductions on the device: {@code analysis_sum_partials_f64}. */
final class PartialSums {
    static final int THREADS = 128;

    private PartialSums() {
    }

    /** sums[b][s] = sum over x in order of partials[b][x][s], for batch x parts x stats doubles. */
    static DevicePtr sum(Device device, DeviceScratch scratch, DevicePtr partials, int parts, int stats, int batch) {
        DevicePtr sums = scratch.doubles((long) batch * stats);
        device.launch("analysis_sum_partials_f64", Dim3.of(Launches.blocks((long) batch * stats, THREADS)),
                Dim3.of(THREADS), 0, KernelArgs.of().ptr(sums).ptr(partials).i32(parts).i32(stats).i32(batch));
        return sums;
    }
}
