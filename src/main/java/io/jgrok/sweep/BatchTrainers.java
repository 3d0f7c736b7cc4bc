package io.jgrok.sweep;

import io.jgrok.UserError;

/** Picks the batch trainer for a sweep's device. */
public final class BatchTrainers {
    private BatchTrainers() {
    }

    /**
     * @param device the runs' device (one per sweep)
     * @param width  models to train at once
     */
    public static BatchTrainer forDevice(String device, int width) {
        return switch (device) {
            case "cpu", "auto" -> new CpuBatchTrainer(width);
            case "cuda", "emulated" -> throw new UserError("sweeps on --device " + device + " need the batched device "
                    + "engine, which this build does not have; use \"device\": \"cpu\" in the spec");
            default -> throw new UserError("unknown device '" + device + "'");
        };
    }
}
