package io.jgrok.config;

import com.google.gson.annotations.SerializedName;

/** Row order of the real Fourier basis used by the analysis. */
public enum FourierOrder {
    /** The paper's notebook: const, cos 1, sin 1, cos 2, sin 2, ... */
    @SerializedName("cos-first")
    COS_FIRST,
    /** TransformerLens demo: const, sin 1, cos 1, sin 2, cos 2, ... */
    @SerializedName("sin-first")
    SIN_FIRST
}
