package io.jgrok.engine;

/** Receives one history row per epoch: losses and accuracies (test values are NaN when not evaluated). */
@FunctionalInterface
public interface EpochSink {
    void accept(long epoch, double trainLoss, double trainAcc, double testLoss, double testAcc);
}
