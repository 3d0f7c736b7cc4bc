package io.jgrok.config;

import com.google.gson.annotations.SerializedName;

/** How the p^2 pairs are shuffled into train and test. */
public enum SplitMethod {
    /** CPython {@code random.seed(data_seed); random.shuffle(pairs)}, as in the paper's code. */
    @SerializedName("python-shuffle")
    PYTHON_SHUFFLE,
    /** {@code torch.manual_seed(data_seed); torch.randperm(p*p)} on the CPU, as in the TransformerLens demo. */
    @SerializedName("torch-randperm")
    TORCH_RANDPERM
}
