package io.jgrok.sweep;

/**
 * The CPU batch trainer against the contract: runs trained R at a time, one thread each, are bit-identical to the
 * same runs trained alone with one thread.
 */
class CpuBatchTrainerTest extends BatchTrainerContract {
    @Override
    BatchTrainer trainer(int width) {
        BatchTrainer t = BatchTrainers.forDevice("cpu", width, 1, System.err);
        if (!(t instanceof CpuBatchTrainer)) {
            throw new AssertionError("CPU sweeps must use the CPU batch trainer, got " + t.description());
        }
        return t;
    }

    @Override
    String device() {
        return "cpu";
    }
}
