package io.jgrok.engine;

import io.jgrok.model.TrainingState;

/**
 * A training engine: the CPU engine, the CUDA engine, or the CUDA engine's kernels run on the emulated device.
 * The trainer drives every engine the same way and writes the same files; engines differ only in where the
 * arithmetic happens. Model and training code see this interface, never JCuda or JNI.
 *
 * <p>Epoch semantics (the paper's code): history entry e holds the losses of the weights after e optimiser steps,
 * i.e. before epoch e's step, and the share of training examples whose softmax has collapsed; then one full-batch
 * AdamW step is taken with the warmup schedule (with ⊥Grad, on the projected gradient). With the
 * TransformerLens demo's timing the test loss is measured after the step instead.
 */
public interface Engine extends AutoCloseable {

    /** One line: engine, hardware and libraries in use. */
    String description();

    /**
     * What decides this engine's floating-point results, beyond the config (a run is bit-identical on resume only
     * when these are the same): e.g. {@code engine}, {@code blas}, {@code threads}, {@code simd}, {@code device}.
     * Recorded in run_info.json for every training session.
     */
    default java.util.Map<String, String> numerics() {
        return java.util.Map.of("engine", description());
    }

    /** Replaces the training state (parameters, Adam moments, step count, Grokfast state); copies it in. */
    void setState(TrainingState state);

    /** Copies the training state out. */
    TrainingState state();

    /**
     * Runs epochs {@code firstEpoch .. firstEpoch + count - 1}, reporting one row per epoch to {@code sink}
     * in order; returns the number of epochs run (always {@code count}).
     */
    int runEpochs(long firstEpoch, int count, EpochSink sink);

    /**
     * How many epochs the trainer should hand to {@link #runEpochs} at once, at most: 1 where an epoch is slow
     * enough that per-epoch progress and stop checks cost nothing (CPU), more where the engine batches epochs
     * (the CUDA engine replays a captured graph and reads losses back in batches).
     */
    default int preferredChunk() {
        return 1;
    }

    /** Logits [n, nOutputs] of the given examples (flat pair indices) under the given parameters. */
    float[] logits(float[] params, int[] examples);

    /**
     * Mean float64 loss of the config ({@code --loss}: softmax or StableMax cross-entropy) of the given examples
     * under the given parameters; writes the gradient of that mean into {@code grad} (flat layout, every element
     * overwritten).
     */
    double lossAndGradient(float[] params, int[] examples, float[] grad);

    /**
     * The full-batch gradient of the mean training loss that the last epoch run computed for its optimiser step:
     * evaluated at the weights before that step, before Grokfast's filter and before frozen ranges are zeroed; flat
     * layout, a copy. For {@code train --save_gradients} (engines keep it only when the config asks for it).
     */
    default float[] lastGradient() {
        throw new UnsupportedOperationException(description() + " does not keep its training gradients");
    }

    @Override
    void close();
}
