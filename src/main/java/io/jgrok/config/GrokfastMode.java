package io.jgrok.config;

import com.google.gson.annotations.SerializedName;

/** Grokfast gradient filter (Lee et al. 2024): amplify the slow part of the gradient before AdamW. */
public enum GrokfastMode {
    @SerializedName("none")
    NONE,
    /** mu = alpha*mu + (1 - alpha)*g (mu starts at the first gradient); AdamW sees g + lambda*mu. */
    @SerializedName("ema")
    EMA,
    /** mu = mean of the last window gradients; AdamW sees g + lambda*mu. */
    @SerializedName("ma")
    MA
}
