package io.jgrok.config;

import com.google.gson.annotations.SerializedName;

/** How the weights are initialised (the paper's code and the TransformerLens demo differ). */
public enum InitScheme {
    /** The paper's code: N(0, 1/d_model) for every matrix except W_U, which uses 1/d_vocab with d_vocab = p + 1, biases zero. */
    @SerializedName("paper")
    PAPER,
    /** TransformerLens demo: every matrix N(0, (0.8/sqrt(d_model))^2), biases zero. */
    @SerializedName("tl-demo")
    TL_DEMO
}
