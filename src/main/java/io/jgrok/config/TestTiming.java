package io.jgrok.config;

import com.google.gson.annotations.SerializedName;

/** Which weights the test loss of history entry e is measured on. */
public enum TestTiming {
    /** The paper's code: train and test loss both on the weights before the epoch's step. */
    @SerializedName("before-step")
    BEFORE_STEP,
    /** TransformerLens demo: test loss on the weights after the epoch's step. */
    @SerializedName("after-step")
    AFTER_STEP
}
