package io.jgrok.config;

import io.jgrok.UserError;

/** Named starting points for a config; flags override individual fields. */
public enum Preset {
    /** The paper's code (mechanistic-interpretability-grokking/progress-measures-paper). */
    PAPER("paper"),
    /** The later TransformerLens demo (demos/Grokking_Demo.ipynb). */
    TL_DEMO("tl-demo");

    public final String label;

    Preset(String label) {
        this.label = label;
    }

    public static Preset named(String name) {
        for (Preset preset : values()) {
            if (preset.label.equals(name)) {
                return preset;
            }
        }
        throw new UserError("--preset must be one of paper, tl-demo; got '" + name + "'");
    }

    public RunConfig defaults() {
        boolean paper = this == PAPER;
        return new RunConfig(
                label,
                113, 0.3, 128, 4, 512,
                paper,                                   // 114 logits vs 113
                paper,                                   // MLP biases trained vs frozen
                paper ? InitScheme.PAPER : InitScheme.TL_DEMO,
                1e-3, 1.0, 0.9, 0.98, 1e-8,
                paper ? 10 : 0,                          // warmup steps
                paper ? 40_000 : 25_000,
                GrokfastMode.NONE, 0.98, 2.0, 100,
                LossFunction.SOFTMAX, GradProjection.NONE,
                0,                                       // weight-init seed (the paper's code seeds nothing)
                paper ? 0 : 598,                         // data seed
                paper ? SplitMethod.PYTHON_SHUFFLE : SplitMethod.TORCH_RANDPERM,
                paper ? TestTiming.BEFORE_STEP : TestTiming.AFTER_STEP,
                paper ? FourierOrder.COS_FIRST : FourierOrder.SIN_FIRST,
                "auto",
                Runtime.getRuntime().availableProcessors(),
                1, 100,
                false);                                  // no gradients in the checkpoints
    }
}
