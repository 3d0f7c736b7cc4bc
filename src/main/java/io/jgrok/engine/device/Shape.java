package io.jgrok.engine.device;

import io.jgrok.model.ParamLayout;

/**
 * The model's dimensions as the kernels use them: p, d_model, heads, d_head, d_mlp, outputs, the width of the combined
 * MLP-input | logit tables (W = d_mlp + n_outputs), the token rows (2p + 1: a, b and '=') and the slots (rows x
 * heads), the flat parameter layout and 1/sqrt(d_head) rounded to float32 as the CPU engine rounds it.
 */
public record Shape(int p, int d, int heads, int dHead, int dMlp, int nOut, ParamLayout layout) {

    public static Shape of(ParamLayout layout) {
        return new Shape(layout.p, layout.dModel, layout.nHeads, layout.dHead, layout.dMlp, layout.nOutputs, layout);
    }

    /** Width of the combined tables and per-example rows [pre | logits]. */
    public int width() {
        return dMlp + nOut;
    }

    /** Token rows: a (0..p-1), b (p..2p-1), '=' (2p). */
    public int rows() {
        return 2 * p + 1;
    }

    public int slots() {
        return rows() * heads;
    }

    /** Length of the flat parameter buffer (alignment gaps included). */
    public int size() {
        return layout.size();
    }

    public float attentionScale() {
        return (float) (1.0 / Math.sqrt(dHead));
    }

    /** The layout offsets in the order of model_common.cuh's LAYOUT_* indices. */
    int[] layoutTable() {
        return new int[] {layout.wE, layout.wPos, layout.wQ, layout.wK, layout.wV, layout.wO, layout.wIn, layout.bIn,
            layout.wOut, layout.bOut, layout.wU, layout.size()};
    }
}
