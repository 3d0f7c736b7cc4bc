package io.jgrok.analysis;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.jgrok.io.Safetensors;

import java.util.List;
import java.util.Map;

/**
 * What {@code jgrok analyze --agop} adds to a run's analysis, and how it is written: progress columns, a
 * {@code summary.json} section and tensors in {@code arrays.safetensors} (schema in docs/agop.md).
 *
 * @param examples        training pairs the AGOP averages over
 * @param referenceEpoch  the analysed checkpoint: the alignment's reference and the final matrices' epoch
 * @param finalG          its AGOP, 2p x 2p
 * @param finalSqrt       sqrt of it
 * @param finalNfm        its NFM analogue
 * @param epochs          one per progress row
 * @param measures        one per progress row
 * @param heatmapLabels   which moment each heatmap block is (initialisation, end of memorization, ...)
 * @param heatmapEpochs   the checkpoint shown for each
 * @param heatmapBlocks   the a-b block of sqrt(AGOP) at each, p x p
 * @param seconds         wall time of the AGOP work (backend and host)
 */
public record AgopResults(int examples, long referenceEpoch, double[] finalG, double[] finalSqrt, double[] finalNfm,
                          long[] epochs, List<AgopMeasures> measures, String[] heatmapLabels, long[] heatmapEpochs,
                          float[][] heatmapBlocks, double seconds) {

    /** Progress columns added by the AGOP pass, in order. */
    public static final List<String> COLUMNS = List.of("agop_trace", "agop_nfm_corr", "agop_dev_ab_sum",
            "agop_dev_ab_diff", "agop_dev_aa", "agop_dev_bb", "agop_alignment", "agop_key_share");

    /** Alignment thresholds whose first crossing the summary reports. */
    static final double[] ALIGNMENT_THRESHOLDS = {0.5, 0.9};

    /** Row i's values, in {@link #COLUMNS} order. */
    public double[] values(int row) {
        AgopMeasures m = measures.get(row);
        return new double[] {m.trace(), m.nfmCorrelation(), m.crossSum(), m.crossDifference(), m.deviationAa(),
                m.deviationBb(), m.alignment(), m.keyShare()};
    }

    /** First epoch at which the alignment reaches {@code threshold}, or null. */
    public Long firstEpochWithAlignment(double threshold) {
        for (int i = 0; i < epochs.length; i++) {
            if (measures.get(i).alignment() >= threshold) {
                return epochs[i];
            }
        }
        return null;
    }

    /** Which phase an epoch falls in, by the analysis's boundaries: null when the boundaries needed are missing. */
    static String phaseOf(long epoch, PhaseBoundaries.Phases phases) {
        Long mem = phases.memorizationEnd();
        Long circuit = phases.circuitFormationEnd();
        Long cleanup = phases.cleanupEnd();
        if (mem != null && epoch <= mem) {
            return "memorization";
        }
        if (circuit != null && epoch <= circuit) {
            return mem != null ? "circuit formation" : null;
        }
        if (cleanup != null && epoch <= cleanup) {
            return circuit != null ? "cleanup" : null;
        }
        return cleanup != null ? "after cleanup" : null;
    }

    /** The {@code agop} section of summary.json. */
    JsonObject summary(PhaseBoundaries.Phases phases) {
        JsonObject o = new JsonObject();
        o.addProperty("examples", examples);
        o.addProperty("reference_epoch", referenceEpoch);
        o.addProperty("n_checkpoints", epochs.length);
        o.add("seconds", number(seconds));
        int last = measures.size() - 1;
        AgopMeasures f = null;
        for (int i = 0; i < epochs.length; i++) {
            if (epochs[i] == referenceEpoch) {
                f = measures.get(i);
            }
        }
        if (f == null && last >= 0) {
            f = measures.get(last);
        }
        JsonObject fin = new JsonObject();
        if (f != null) {
            fin.add("trace", number(f.trace()));
            fin.add("nfm_correlation", number(f.nfmCorrelation()));
            fin.add("deviation_ab_sum", number(f.crossSum()));
            fin.add("deviation_ab_difference", number(f.crossDifference()));
            fin.add("deviation_aa", number(f.deviationAa()));
            fin.add("deviation_bb", number(f.deviationBb()));
            fin.add("key_share", number(f.keyShare()));
        }
        o.add("final", fin);
        JsonArray crossings = new JsonArray();
        for (double t : ALIGNMENT_THRESHOLDS) {
            JsonObject c = new JsonObject();
            c.addProperty("threshold", t);
            Long e = firstEpochWithAlignment(t);
            c.add("epoch", e == null ? JsonNull.INSTANCE : new JsonPrimitive(e));
            String phase = e == null ? null : phaseOf(e, phases);
            c.add("phase", phase == null ? JsonNull.INSTANCE : new JsonPrimitive(phase));
            crossings.add(c);
        }
        o.add("alignment_crossings", crossings);
        JsonArray heat = new JsonArray();
        for (int i = 0; i < heatmapEpochs.length; i++) {
            JsonObject h = new JsonObject();
            h.addProperty("moment", heatmapLabels[i]);
            h.addProperty("epoch", heatmapEpochs[i]);
            heat.add(h);
        }
        o.add("heatmaps", heat);
        o.addProperty("definitions", "AGOP = mean over the training pairs of K^T K, K the Jacobian of the p number "
                + "logits w.r.t. the one-hot inputs of a and b; the measures use its PSD square root; see "
                + "docs/agop.md");
        return o;
    }

    /** Tensors for arrays.safetensors (float32). */
    void addArrays(Map<String, Safetensors.Tensor> t, FourierBasis basis) {
        int n = 2 * basis.p();
        int p = basis.p();
        t.put("agop", new Safetensors.Tensor(new int[] {n, n}, toFloat(finalG)));
        t.put("agop_sqrt", new Safetensors.Tensor(new int[] {n, n}, toFloat(finalSqrt)));
        t.put("agop_fourier", new Safetensors.Tensor(new int[] {n, n},
                toFloat(AgopMeasures.blockFourier(finalG, basis))));
        t.put("agop_nfm", new Safetensors.Tensor(new int[] {n, n}, toFloat(finalNfm)));
        int k = heatmapBlocks.length;
        float[] blocks = new float[k * p * p];
        float[] e = new float[k];
        for (int i = 0; i < k; i++) {
            System.arraycopy(heatmapBlocks[i], 0, blocks, i * p * p, p * p);
            e[i] = heatmapEpochs[i];
        }
        t.put("agop_heatmap_epochs", new Safetensors.Tensor(new int[] {k}, e));
        t.put("agop_heatmap_ab", new Safetensors.Tensor(new int[] {k, p, p}, blocks));
    }

    private static float[] toFloat(double[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) x[i];
        }
        return out;
    }

    private static JsonElement number(double x) {
        return Double.isFinite(x) ? new JsonPrimitive(x) : JsonNull.INSTANCE;
    }
}
