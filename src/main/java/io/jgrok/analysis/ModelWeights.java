package io.jgrok.analysis;

import io.jgrok.model.ParamLayout;

/** The weight matrices the analysis reads, cut out of a flat parameter buffer. */
public final class ModelWeights {
    private ModelWeights() {
    }

    /** W_E without the {@code =} row: [p, d_model]. */
    public static float[] embedNumbers(ParamLayout layout, float[] params) {
        float[] out = new float[layout.p * layout.dModel];
        System.arraycopy(params, layout.wE, out, 0, out.length);
        return out;
    }

    /**
     * The neuron-to-logit map W_L = W_out W_U[:, :p], [d_mlp, p] (the number logits only), accumulated in float64
     * and rounded once.
     */
    public static double[] neuronLogitMap(ParamLayout layout, float[] params) {
        int m = layout.dMlp;
        int d = layout.dModel;
        int p = layout.p;
        int nOut = layout.nOutputs;
        double[] out = new double[m * p];
        for (int n = 0; n < m; n++) {
            for (int j = 0; j < d; j++) {
                double w = params[layout.wOut + n * d + j];
                int u = layout.wU + j * nOut;
                for (int c = 0; c < p; c++) {
                    out[n * p + c] += w * params[u + c];
                }
            }
        }
        return out;
    }
}
