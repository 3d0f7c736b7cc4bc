package io.jgrok.sweep;

/**
 * The device batch trainer on the emulated device (the CUDA kernels run on the host), against the same contract as
 * the CPU: N models trained together, one launch per kernel per step for all of them, end bit-identical to the N
 * runs trained one by one with {@code ./jgrok train --device emulated}.
 */
class EmulatedBatchTrainerTest extends BatchTrainerContract {
    @Override
    BatchTrainer trainer(int width) {
        BatchTrainer t = BatchTrainers.forDevice("emulated", width, 1, System.err);
        if (!(t instanceof DeviceBatchTrainer)) {
            throw new AssertionError("emulated sweeps must use the device batch trainer, got " + t.description());
        }
        return t;
    }

    @Override
    String device() {
        return "emulated";
    }
}
