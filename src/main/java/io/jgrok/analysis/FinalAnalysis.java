package io.jgrok.analysis;

import io.jgrok.data.Split;
import io.jgrok.engine.cpu.Gemm;
import io.jgrok.model.ParamLayout;

/**
 * The mechanistic analysis of one model (the final checkpoint): Fourier norms of W_E and W_L, neuron clustering and
 * key frequencies, attention, the 2D Fourier norms of the logits, losses, and the ablations (restricted and
 * excluded, all key frequencies and one at a time; clustered neurons replaced by their degree-2 approximation).
 * The heavy lifting is the backend's; this class chooses what to compute and assembles the result.
 */
public final class FinalAnalysis {
    private FinalAnalysis() {
    }

    /**
     * Everything the summary and the figures need about one model. Array shapes are in the field comments;
     * coefficients are indexed by basis rows (the run's order).
     */
    public record Result(
            long epoch,
            ModelOutputs outputs,           // logits [p^2, nOut], neurons [p^2, M], attention [p^2, H, 3]
            WeightMeasures weights,
            float[] embedFourier,           // F W_E, [p, d_model]
            float[] neuronLogitFourier,     // F W_L^T, [p, M]
            double[] fracExplained,         // [M, K]
            NeuronClusters clusters,
            float[] logitFourierNorms,      // [p, p]: norm over output classes of the 2D transform of the logits
            KeyFrequencyRule.Choice keys,   // the key frequencies the ablations use, and what each rule gives
            LogitMeasures logits,           // plain and ablated, at keys.frequencies()
            double degree2Loss,             // all inputs, clustered neurons replaced by degree-2 approximations
            double degree2Accuracy,
            double[] meanAttention) {       // [H, 3]: mean attention from '=' to a, b, '=' per head
    }

    /** With the default key-frequency rule (frequencies that own a clustered neuron). */
    public static Result analyze(AnalysisBackend backend, ParamLayout layout, float[] params, long epoch,
                                 Split split) {
        return analyze(backend, layout, params, epoch, split, KeyFrequencyRule.CLUSTERED);
    }

    public static Result analyze(AnalysisBackend backend, ParamLayout layout, float[] params, long epoch,
                                 Split split, KeyFrequencyRule rule) {
        FourierBasis basis = backend.basis();
        int p = layout.p;
        int m = layout.dMlp;
        ModelOutputs out = backend.outputs(params);
        WeightMeasures weights = backend.weightMeasures(new float[][] {params})[0];
        float[] embedFourier = backend.transform1d(ModelWeights.embedNumbers(layout, params), layout.dModel);
        double[] wl = ModelWeights.neuronLogitMap(layout, params);
        float[] wlT = new float[p * m];
        for (int n = 0; n < m; n++) {
            for (int c = 0; c < p; c++) {
                wlT[c * m + n] = (float) wl[n * p + c];
            }
        }
        float[] neuronLogitFourier = backend.transform1d(wlT, m);
        double[] frac = backend.fracExplained(out.neurons(), m);
        NeuronClusters clusters = new NeuronClusters(frac, m, basis.nFrequencies());
        KeyFrequencyRule.Choice keys = rule.choose(clusters);
        AblationPlan plan = new AblationPlan(keys.frequencies(), split.train(), split.test(), true);
        LogitMeasures measures = backend.logitMeasures(new float[][] {out.logits()}, plan)[0];
        float[] numberLogits = numberLogits(out.logits(), p, layout.nOutputs);
        float[] logitFourier = backend.transform2d(numberLogits, p);
        float[] logitNorms = new float[p * p];
        for (int ij = 0; ij < p * p; ij++) {
            double s = 0;
            for (int c = 0; c < p; c++) {
                double v = logitFourier[ij * p + c];
                s += v * v;
            }
            logitNorms[ij] = (float) Math.sqrt(s);
        }
        double[] degree2 = degree2Ablation(backend, clusters, out.neurons(), m, wl, numberLogits);
        return new Result(epoch, out, weights, embedFourier, neuronLogitFourier, frac, clusters, logitNorms, keys,
                measures, degree2[0], degree2[1], meanAttention(out.attention(), layout.nHeads, p * p));
    }

    /** The p number logits of each input, [p^2, p]. */
    static float[] numberLogits(float[] logits, int p, int nOut) {
        int n = p * p;
        float[] out = new float[n * p];
        for (int r = 0; r < n; r++) {
            System.arraycopy(logits, r * nOut, out, r * p, p);
        }
        return out;
    }

    /**
     * Loss and accuracy over all inputs when each clustered neuron's activation is replaced by its projection onto
     * the 9 terms {const, cos k, sin k}(a) x {const, cos k, sin k}(b) of its own frequency k (the degree-2
     * polynomials in cos/sin(w_k a), cos/sin(w_k b)). Only the neuron-to-logit path changes, so the new logits are
     * the old ones plus (approximation - activation) W_L over the clustered neurons.
     */
    static double[] degree2Ablation(AnalysisBackend backend, NeuronClusters clusters, float[] neurons, int m,
                                    double[] wl, float[] numberLogits) {
        FourierBasis basis = backend.basis();
        int p = basis.p();
        int n = p * p;
        int[] chosen = java.util.stream.IntStream.range(0, m).filter(clusters::isClustered).toArray();
        double[] logits = new double[n * p];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = numberLogits[i];
        }
        if (chosen.length > 0) {
            float[] g = backend.transform2d(neurons, m);
            int mc = chosen.length;
            float[] delta = new float[n * mc];
            float[] wlChosen = new float[mc * p];
            for (int j = 0; j < mc; j++) {
                int neuron = chosen[j];
                int k = clusters.frequency(neuron);
                int[] rows = basis.sinRow(k) >= 0 ? new int[] {0, basis.cosRow(k), basis.sinRow(k)}
                        : new int[] {0, basis.cosRow(k)};
                for (int a = 0; a < p; a++) {
                    for (int b = 0; b < p; b++) {
                        double approx = 0;
                        for (int ri : rows) {
                            for (int rj : rows) {
                                approx += g[(ri * p + rj) * m + neuron] * basis.get(ri, a) * basis.get(rj, b);
                            }
                        }
                        int r = a * p + b;
                        delta[r * mc + j] = (float) (approx - neurons[r * m + neuron]);
                    }
                }
                for (int c = 0; c < p; c++) {
                    wlChosen[j * p + c] = (float) wl[neuron * p + c];
                }
            }
            float[] change = new float[n * p];
            Gemm.gemm(false, false, n, p, mc, 1f, delta, 0, mc, wlChosen, 0, p, 0f, change, 0, p);
            for (int i = 0; i < logits.length; i++) {
                logits[i] += change[i];
            }
        }
        double loss = 0;
        long correct = 0;
        for (int r = 0; r < n; r++) {
            int label = (r / p + r % p) % p;
            loss += CrossEntropy.loss(logits, r * p, p, label);
            correct += CrossEntropy.correct(logits, r * p, p, label) ? 1 : 0;
        }
        return new double[] {loss / n, (double) correct / n};
    }

    static double[] meanAttention(float[] attention, int heads, int n) {
        double[] out = new double[heads * 3];
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < heads * 3; i++) {
                out[i] += attention[r * heads * 3 + i];
            }
        }
        for (int i = 0; i < out.length; i++) {
            out[i] /= n;
        }
        return out;
    }
}
