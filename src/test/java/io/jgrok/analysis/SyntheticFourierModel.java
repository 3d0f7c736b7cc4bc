package io.jgrok.analysis;

import io.jgrok.config.RunConfig;
import io.jgrok.model.ParamLayout;

/**
 * Hand-made weights for the real architecture ({@link ParamLayout}, run through the CPU engine) that implement the
 * paper's Fourier multiplication algorithm with chosen frequencies k_1..k_n, so that the analysis has a known answer.
 *
 * <p>How it works, stage by stage (w = 2 pi k / p; residual dimensions: 0 = "is a or b" flag, 1 = "is =" flag,
 * then four per frequency: E_cos, E_sin, A, B):
 * <ol>
 *   <li>Embedding: W_E[t] holds cos(w t), sin(w t) in E_cos, E_sin for every frequency; the {@code =} token sets
 *       flag 1; W_pos sets flag 0 at positions 0 and 1.</li>
 *   <li>Attention: every head's query reads flag 1 and its key reads flag 0, so from {@code =} the scores to a and b
 *       are equal and large ({@link #ATTENTION_SCORE}) and the score to {@code =} is 0: attention is 1/2 to each of
 *       a and b (up to e^-30). Head 0 copies E_cos, E_sin through W_V and back with W_O scaled by 2, so at
 *       {@code =} the residual holds cos(wa) + cos(wb) and sin(wa) + sin(wb).</li>
 *   <li>MLP: each frequency gets J = d_mlp / n neurons with phases theta_j = 2 pi j / J; neuron j computes
 *       ReLU(cos(wa - theta_j) + cos(wb - theta_j)) = |D| ReLU(cos(w(a+b)/2 - theta_j)) (up to a shift by pi),
 *       D = 2 cos(w(a-b)/2). Its second harmonic in theta is proportional to |D| cos(w(a+b) - 2 theta_j).</li>
 *   <li>W_out writes cos(2 theta_j), sin(2 theta_j) into A, B and W_U reads A, B as cos(wc), sin(wc), so
 *       W_L[j, c] = cos(2 theta_j - wc); summing over the J phases picks out the second harmonic, giving logits
 *       proportional to sum_k |D_k| cos(w_k(a+b-c)), maximal at c = (a+b) mod p. The {@code =} logit (if any) reads
 *       flag 1 with weight -30.</li>
 * </ol>
 * The |D| factor and the higher harmonics of ReLU put some energy outside the key directions (e.g. terms in 2wa),
 * as in a trained model; the restricted logits are the clean sum of cos(w_k(a+b-c)). Each neuron's activation is a
 * function of one frequency, so all neurons cluster on the chosen frequencies.
 */
final class SyntheticFourierModel {
    /** Attention score from = to a and b, relative to the score to = (which is 0). */
    static final double ATTENTION_SCORE = 30;
    /** The = logit's value (the analysis drops it; the engine's loss must not be hurt by it). */
    static final double EQUALS_LOGIT = -30;

    private SyntheticFourierModel() {
    }

    /** Smallest d_model that holds the construction for n frequencies. */
    static int minDModel(int nFrequencies) {
        return 2 + 4 * nFrequencies;
    }

    /**
     * @param logitScale overall scale of the logits: larger means a more confident model (lower loss)
     */
    static float[] build(RunConfig config, int[] frequencies, double logitScale) {
        ParamLayout L = new ParamLayout(config);
        int p = config.p();
        int d = config.dModel();
        int dh = L.dHead;
        int nf = frequencies.length;
        if (d < minDModel(nf) || dh < 2 * nf || config.dMlp() < nf) {
            throw new IllegalArgumentException("config too small for " + nf + " frequencies");
        }
        float[] w = new float[L.size()];
        for (int t = 0; t < 3; t++) {
            w[L.wPos + t * d] = t < 2 ? 1f : 0f;
        }
        w[L.wE + p * d + 1] = 1f;
        for (int i = 0; i < nf; i++) {
            for (int t = 0; t < p; t++) {
                double angle = angle(frequencies[i], t, p);
                w[L.wE + t * d + eCos(i)] = (float) Math.cos(angle);
                w[L.wE + t * d + eSin(i)] = (float) Math.sin(angle);
            }
        }
        double s = Math.sqrt(ATTENTION_SCORE * Math.sqrt(dh));
        for (int h = 0; h < L.nHeads; h++) {
            w[L.wQ + h * d * dh + 1 * dh] = (float) s;
            w[L.wK + h * d * dh] = (float) s;
        }
        for (int i = 0; i < nf; i++) {
            w[L.wV + eCos(i) * dh + 2 * i] = 1f;
            w[L.wV + eSin(i) * dh + 2 * i + 1] = 1f;
            w[L.wO + (2 * i) * d + eCos(i)] = 2f;
            w[L.wO + (2 * i + 1) * d + eSin(i)] = 2f;
        }
        int m = config.dMlp();
        int nOut = config.nOutputs();
        for (int j = 0; j < m; j++) {
            int i = j % nf;
            int perFrequency = (m - i + nf - 1) / nf;
            double theta = 2 * Math.PI * (j / nf) / perFrequency;
            w[L.wIn + eCos(i) * m + j] = (float) Math.cos(theta);
            w[L.wIn + eSin(i) * m + j] = (float) Math.sin(theta);
            w[L.wOut + j * d + a(i)] = (float) Math.cos(2 * theta);
            w[L.wOut + j * d + b(i)] = (float) Math.sin(2 * theta);
        }
        for (int i = 0; i < nf; i++) {
            int perFrequency = (m - i + nf - 1) / nf;
            double lambda = logitScale / perFrequency;
            for (int c = 0; c < p; c++) {
                double angle = angle(frequencies[i], c, p);
                w[L.wU + a(i) * nOut + c] = (float) (lambda * Math.cos(angle));
                w[L.wU + b(i) * nOut + c] = (float) (lambda * Math.sin(angle));
            }
        }
        if (nOut > p) {
            w[L.wU + 1 * nOut + p] = (float) EQUALS_LOGIT;
        }
        return w;
    }

    private static double angle(int k, int x, int p) {
        return 2 * Math.PI * ((long) k * x % p) / p;
    }

    private static int eCos(int i) {
        return 2 + 4 * i;
    }

    private static int eSin(int i) {
        return 3 + 4 * i;
    }

    private static int a(int i) {
        return 4 + 4 * i;
    }

    private static int b(int i) {
        return 5 + 4 * i;
    }
}
