package io.jgrok.engine;

/**
 * Receives one history row per epoch: losses and accuracies (test values are NaN when not evaluated) and, from
 * engines that measure it, the softmax collapse of the training examples ({@link #accept(long, double, double,
 * double, double, double, double)}).
 */
@FunctionalInterface
public interface EpochSink {
    void accept(long epoch, double trainLoss, double trainAcc, double testLoss, double testAcc);

    /**
     * A row with the fractions of training examples whose softmax has collapsed in float32 and in float64 (see
     * {@link io.jgrok.engine.SoftmaxCollapse}); sinks that keep them override this, the others drop them.
     */
    default void accept(long epoch, double trainLoss, double trainAcc, double testLoss, double testAcc,
                        double collapsedF32, double collapsedF64) {
        accept(epoch, trainLoss, trainAcc, testLoss, testAcc);
    }
}
