package io.jgrok.engine.device;

import io.jgrok.device.Device;
import io.jgrok.device.Dim3;
import io.jgrok.device.KernelArgs;

/**
 * Issues the epoch's kernel launches, each with a label saying what it computes (the profile's row names): the plain
 * one launches; {@link EpochProfile} also records an event before each launch.
 */
interface Launcher {
    Device device();

    void launch(String label, String kernel, Dim3 grid, Dim3 block, int dynamicSharedBytes, KernelArgs args);

    static Launcher plain(Device device) {
        return new Launcher() {
            @Override
            public Device device() {
                return device;
            }

            @Override
            public void launch(String label, String kernel, Dim3 grid, Dim3 block, int dynamicSharedBytes,
                               KernelArgs args) {
                device.launch(kernel, grid, block, dynamicSharedBytes, args);
            }
        };
    }
}
