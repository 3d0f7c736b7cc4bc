package io.jgrok.config;

import com.google.gson.annotations.SerializedName;

/**
 * How the logits become a loss. Both are cross-entropies computed in float64 from float32 logits, over every output
 * logit (the {@code =} logit too, where the config has one).
 */
public enum LossFunction {
    /** The paper's: log-softmax cross-entropy, -log(e^{z_y} / sum_j e^{z_j}). */
    @SerializedName("softmax")
    SOFTMAX,
    /**
     * StableMax cross-entropy (Prieto et al. 2025, "Grokking at the edge of numerical stability"):
     * -log(s(z_y) / sum_j s(z_j)) with s(x) = x + 1 for x >= 0 and 1 / (1 - x) for x < 0, which grows linearly
     * instead of exponentially, so the sum cannot absorb the other classes' terms the way softmax's does.
     */
    @SerializedName("stablemax")
    STABLEMAX
}
