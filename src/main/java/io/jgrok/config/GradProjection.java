package io.jgrok.config;

import com.google.gson.annotations.SerializedName;

/** What is done to the gradient between the Grokfast filter and AdamW. */
public enum GradProjection {
    /** Nothing (the paper's training). */
    @SerializedName("none")
    NONE,
    /**
     * ⊥Grad (Prieto et al. 2025): per parameter tensor, the component along the tensor's own weights is removed,
     * g - (w.g / (w.w + 1e-30)) w, and the result is rescaled to the norm g had (as the authors' code does), so
     * that no step grows or shrinks the weights along their current direction.
     */
    @SerializedName("orthogonal")
    ORTHOGONAL
}
