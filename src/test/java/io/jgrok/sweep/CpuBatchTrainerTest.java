package io.jgrok.sweep;

/**
 * The CPU batch trainer against the contract: runs trained R at a time, one thread each, are bit-identical to the
 * same runs trained alone with one thread.
 */
class CpuBatchTrainerTest extends BatchTrainerContract {
    @Override
    BatchTrainer trainer(int width) {
        return new CpuBatchTrainer(width);
    }

    @Override
    String device() {
        return "cpu";
    }
}
