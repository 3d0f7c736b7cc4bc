package io.jgrok.analysis;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.jgrok.io.AtomicFiles;
import io.jgrok.io.Safetensors;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes {@code RUN_DIR/analysis/}: {@code arrays.safetensors}, {@code progress.csv}, {@code progress.json} and,
 * last, {@code summary.json}, each atomically. The schema is documented in docs/analysis.md ("Outputs") and is what the
 * figures read; change both together.
 */
public final class AnalysisFiles {
    public static final String SUMMARY = "summary.json";
    public static final String PROGRESS_CSV = "progress.csv";
    public static final String PROGRESS_JSON = "progress.json";
    public static final String ARRAYS = "arrays.safetensors";
    public static final String SUMMARY_FORMAT = "jgrok-analysis-1";
    public static final String PROGRESS_FORMAT = "jgrok-progress-1";
    public static final String ARRAYS_FORMAT = "jgrok-analysis-arrays-1";

    // serializeNulls: an absent result (a phase boundary the rule did not find, a loss that is not finite) is written
    // as a null key, as the schema documents, rather than left out.
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls()
            .create();

    private AnalysisFiles() {
    }

    public static void write(Path analysisDir, AnalysisResults r) throws IOException {
        // summary.json, written last, marks the other three as one analysis's: removed first, so that a write that
        // fails midway (a full disk) leaves no summary beside files of another analysis.
        java.nio.file.Files.deleteIfExists(analysisDir.resolve(SUMMARY));
        Safetensors.write(analysisDir.resolve(ARRAYS), arrays(r), arraysMetadata(r));
        AtomicFiles.writeString(analysisDir.resolve(PROGRESS_CSV), progressCsv(r));
        AtomicFiles.writeString(analysisDir.resolve(PROGRESS_JSON), GSON.toJson(progressJson(r)) + "\n");
        AtomicFiles.writeString(analysisDir.resolve(SUMMARY), GSON.toJson(summary(r)) + "\n");
    }

    // ---- progress ----------------------------------------------------------------------------------------------

    /** Column names of progress.csv / progress.json, in order; per-frequency columns follow the key frequencies. */
    public static List<String> progressColumns(int[] keys) {
        List<String> cols = new ArrayList<>(List.of("epoch", "train_loss", "test_loss", "train_acc", "test_acc",
                "all_loss", "all_acc", "restricted_loss", "restricted_acc", "excluded_loss", "excluded_acc",
                "gini_w_e", "gini_w_l", "sum_sq_weights"));
        for (int k : keys) {
            cols.add("excluded_loss_k" + k);
        }
        for (int k : keys) {
            cols.add("amplitude_k" + k);
        }
        return cols;
    }

    static double[] progressValues(ProgressMeasures.Row row) {
        LogitMeasures l = row.logits();
        WeightMeasures w = row.weights();
        int nk = l.keyAmplitudes().length;
        double[] v = new double[14 + 2 * nk];
        double[] fixed = {row.epoch(), l.lossTrain(), l.lossTest(), l.accuracyTrain(), l.accuracyTest(), l.lossAll(),
                l.accuracyAll(), l.restrictedLoss(), l.restrictedAccuracy(), l.excludedLoss(), l.excludedAccuracy(),
                w.giniEmbed(), w.giniNeuronLogit(), w.sumOfSquares()};
        System.arraycopy(fixed, 0, v, 0, fixed.length);
        System.arraycopy(l.excludedLossPerFrequency(), 0, v, 14, nk);
        System.arraycopy(l.keyAmplitudes(), 0, v, 14 + nk, nk);
        return v;
    }

    /** The run's progress columns: {@link #progressColumns(int[])}, then the AGOP columns when computed. */
    static List<String> progressColumns(AnalysisResults r) {
        List<String> cols = progressColumns(r.keyFrequencies());
        if (r.agop() != null) {
            cols.addAll(AgopResults.COLUMNS);
        }
        return cols;
    }

    /** Row i's values in {@link #progressColumns(AnalysisResults)} order. */
    static double[] progressValues(AnalysisResults r, int i) {
        double[] v = progressValues(r.progress().get(i));
        if (r.agop() == null) {
            return v;
        }
        double[] extra = r.agop().values(i);
        double[] out = java.util.Arrays.copyOf(v, v.length + extra.length);
        System.arraycopy(extra, 0, out, v.length, extra.length);
        return out;
    }

    static String progressCsv(AnalysisResults r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.join(",", progressColumns(r))).append('\n');
        for (int ri = 0; ri < r.progress().size(); ri++) {
            ProgressMeasures.Row row = r.progress().get(ri);
            double[] v = progressValues(r, ri);
            for (int i = 0; i < v.length; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(i == 0 ? Long.toString(row.epoch()) : csvNumber(v[i]));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String csvNumber(double x) {
        return Double.isFinite(x) ? Double.toString(x) : (Double.isNaN(x) ? "NaN" : (x > 0 ? "inf" : "-inf"));
    }

    static JsonObject progressJson(AnalysisResults r) {
        JsonObject o = new JsonObject();
        o.addProperty("format", PROGRESS_FORMAT);
        o.add("key_frequencies", ints(r.keyFrequencies()));
        List<String> cols = progressColumns(r);
        JsonArray names = new JsonArray();
        cols.forEach(names::add);
        o.add("columns", names);
        List<double[]> values = new ArrayList<>();
        for (int i = 0; i < r.progress().size(); i++) {
            values.add(progressValues(r, i));
        }
        for (int c = 0; c < cols.size(); c++) {
            JsonArray a = new JsonArray();
            for (int i = 0; i < values.size(); i++) {
                if (c == 0) {
                    a.add(r.progress().get(i).epoch());
                } else {
                    a.add(number(values.get(i)[c]));
                }
            }
            o.add(cols.get(c), a);
        }
        return o;
    }

    // ---- summary -----------------------------------------------------------------------------------------------

    static JsonObject summary(AnalysisResults r) {
        FinalAnalysis.Result f = r.fin();
        FourierBasis basis = r.basis();
        JsonObject o = new JsonObject();
        o.addProperty("format", SUMMARY_FORMAT);
        o.addProperty("run_dir", r.runDir().toString());
        o.addProperty("checkpoint", r.checkpointFile().toString());
        o.addProperty("epoch", f.epoch());
        o.addProperty("n_checkpoints", r.progress().size());
        o.addProperty("backend", r.backend());
        JsonObject cfg = new JsonObject();
        cfg.addProperty("p", r.config().p());
        cfg.addProperty("prime", r.config().isPrime());
        cfg.addProperty("d_model", r.config().dModel());
        cfg.addProperty("n_heads", r.config().nHeads());
        cfg.addProperty("d_mlp", r.config().dMlp());
        cfg.addProperty("n_outputs", r.config().nOutputs());
        cfg.addProperty("fourier_order", r.config().fourierOrder() == io.jgrok.config.FourierOrder.COS_FIRST
                ? "cos-first" : "sin-first");
        o.add("config", cfg);
        JsonArray labels = new JsonArray();
        for (String s : basis.labels()) {
            labels.add(s);
        }
        o.add("basis_labels", labels);

        LogitMeasures l = f.logits();
        JsonObject loss = new JsonObject();
        loss.add("all", number(l.lossAll()));
        loss.add("train", number(l.lossTrain()));
        loss.add("test", number(l.lossTest()));
        o.add("loss", loss);
        JsonObject acc = new JsonObject();
        acc.add("all", number(l.accuracyAll()));
        acc.add("train", number(l.accuracyTrain()));
        acc.add("test", number(l.accuracyTest()));
        o.add("accuracy", acc);
        o.add("key_frequencies", ints(r.keyFrequencies()));
        KeyFrequencyRule.Choice choice = f.keys();
        JsonObject rule = new JsonObject();
        rule.addProperty("used", choice.rule().label());
        rule.addProperty("description", choice.describe());
        rule.addProperty("fallback", choice.fallback());
        rule.add("clustered", ints(choice.clustered()));
        rule.add("notebook", ints(choice.notebook()));
        o.add("key_frequency_rule", rule);

        NeuronClusters nc = f.clusters();
        JsonObject neurons = new JsonObject();
        neurons.addProperty("count", nc.nNeurons());
        neurons.addProperty("clustered", nc.clusteredCount());
        neurons.add("fraction_clustered", number(nc.clusteredFraction()));
        neurons.addProperty("threshold", NeuronClusters.THRESHOLD);
        neurons.addProperty("without_variance", nc.deadCount());
        JsonArray clusters = new JsonArray();
        for (NeuronClusters.Cluster c : nc.clusters()) {
            JsonObject co = new JsonObject();
            co.addProperty("frequency", c.frequency());
            co.addProperty("neurons", c.neurons());
            co.addProperty("clustered", c.clustered());
            clusters.add(co);
        }
        neurons.add("clusters", clusters);
        o.add("neurons", neurons);

        o.add("embed", fourierNorms(basis, f.weights().embedRowNorms(), f.weights().giniEmbed()));
        o.add("neuron_logit_map", fourierNorms(basis, f.weights().neuronLogitRowNorms(),
                f.weights().giniNeuronLogit()));

        int heads = r.config().nHeads();
        JsonObject att = new JsonObject();
        String[] names = {"mean_to_a", "mean_to_b", "mean_to_equals"};
        for (int pos = 0; pos < 3; pos++) {
            JsonArray a = new JsonArray();
            for (int h = 0; h < heads; h++) {
                a.add(number(f.meanAttention()[h * 3 + pos]));
            }
            att.add(names[pos], a);
        }
        o.add("attention", att);
        o.add("logit_fourier", logitFourier(basis, f.logitFourierNorms()));

        JsonObject ab = new JsonObject();
        ab.add("loss", number(l.lossAll()));
        ab.add("restricted_loss", number(l.restrictedLoss()));
        ab.add("restricted_accuracy", number(l.restrictedAccuracy()));
        ab.add("excluded_loss", number(l.excludedLoss()));
        ab.add("excluded_accuracy", number(l.excludedAccuracy()));
        ab.add("chance_loss", number(Math.log(r.config().p())));
        JsonArray per = new JsonArray();
        int[] keys = r.keyFrequencies();
        for (int i = 0; i < keys.length; i++) {
            JsonObject e = new JsonObject();
            e.addProperty("frequency", keys[i]);
            e.add("restricted_loss", number(l.restrictedLossPerFrequency()[i]));
            e.add("excluded_loss", number(l.excludedLossPerFrequency()[i]));
            e.add("amplitude", number(l.keyAmplitudes()[i]));
            per.add(e);
        }
        ab.add("per_frequency", per);
        ab.add("degree2_loss", number(f.degree2Loss()));
        ab.add("degree2_accuracy", number(f.degree2Accuracy()));
        ab.addProperty("degree2_neurons_replaced", nc.clusteredCount());
        o.add("ablations", ab);
        o.add("sum_of_squared_weights", number(f.weights().sumOfSquares()));

        JsonObject ph = new JsonObject();
        ph.add("memorization_end", epochOrNull(r.phases().memorizationEnd()));
        ph.add("circuit_formation_end", epochOrNull(r.phases().circuitFormationEnd()));
        ph.add("cleanup_end", epochOrNull(r.phases().cleanupEnd()));
        ph.addProperty("rule", PhaseBoundaries.RULE);
        o.add("phases", ph);

        o.add("agop", r.agop() == null ? JsonNull.INSTANCE : r.agop().summary(r.phases()));
        JsonArray warnings = new JsonArray();
        r.warnings().forEach(warnings::add);
        o.add("warnings", warnings);
        o.add("paper", paper());
        return o;
    }

    private static JsonObject fourierNorms(FourierBasis basis, double[] rowNorms, double gini) {
        JsonObject o = new JsonObject();
        double[] freq = basis.frequencyNorms(rowNorms);
        o.add("frequency_norms", doubles(freq));
        o.add("constant_norm", number(rowNorms[0]));
        o.add("gini", number(gini));
        o.add("significant_frequencies", ints(AnalysisResults.significantFrequencies(freq)));
        return o;
    }

    /** Number of 2D terms listed in summary.json (the paper's figure shows about 20 bright entries). */
    static final int TOP_TERMS = 20;

    private static JsonObject logitFourier(FourierBasis basis, float[] norms) {
        int p = basis.p();
        Integer[] order = new Integer[p * p];
        double total = 0;
        for (int i = 0; i < p * p; i++) {
            order[i] = i;
            if (i != 0) {
                total += (double) norms[i] * norms[i];
            }
        }
        java.util.Arrays.sort(order, (x, y) -> Float.compare(norms[y], norms[x]));
        JsonArray top = new JsonArray();
        double share = 0;
        int listed = 0;
        for (int idx = 0; idx < order.length && listed < TOP_TERMS; idx++) {
            int i = order[idx];
            if (i == 0) {
                continue;
            }
            JsonObject t = new JsonObject();
            t.addProperty("a", basis.label(i / p));
            t.addProperty("b", basis.label(i % p));
            t.add("norm", number(norms[i]));
            top.add(t);
            share += (double) norms[i] * norms[i];
            listed++;
        }
        JsonObject o = new JsonObject();
        o.add("top_terms", top);
        o.add("top_share", number(total > 0 ? share / total : 0));
        o.addProperty("note", "norm over output classes of the 2D transform of the number logits; top_share is the "
                + "fraction of the squared norm outside (const, const) held by the listed terms");
        return o;
    }

    static JsonObject paper() {
        JsonObject o = new JsonObject();
        o.addProperty("source", "Nanda et al. 2023, main run (p = 113, 40k epochs), as reported");
        o.add("key_frequencies", ints(PaperNumbers.KEY_FREQUENCIES));
        o.addProperty("embed_significant_frequencies", PaperNumbers.EMBED_SIGNIFICANT_FREQUENCIES);
        o.addProperty("neurons", PaperNumbers.NEURONS);
        o.addProperty("neurons_clustered", PaperNumbers.NEURONS_CLUSTERED);
        o.addProperty("fraction_clustered", PaperNumbers.FRACTION_CLUSTERED);
        o.addProperty("final_loss", PaperNumbers.FINAL_LOSS);
        o.addProperty("ablation_base_loss", PaperNumbers.ABLATION_BASE_LOSS);
        o.addProperty("degree2_loss", PaperNumbers.DEGREE2_LOSS);
        o.addProperty("restricted_loss", PaperNumbers.RESTRICTED_LOSS);
        JsonObject ph = new JsonObject();
        ph.addProperty("memorization_end", PaperNumbers.MEMORIZATION_END);
        ph.addProperty("circuit_formation_end", PaperNumbers.CIRCUIT_FORMATION_END);
        ph.addProperty("cleanup_end", PaperNumbers.CLEANUP_END);
        ph.addProperty("rule", "picked by eye");
        o.add("phases", ph);
        return o;
    }

    // ---- arrays ------------------------------------------------------------------------------------------------

    static Map<String, Safetensors.Tensor> arrays(AnalysisResults r) {
        FinalAnalysis.Result f = r.fin();
        FourierBasis basis = r.basis();
        int p = basis.p();
        int nk = basis.nFrequencies();
        int m = r.config().dMlp();
        int h = r.config().nHeads();
        int n = p * p;
        Map<String, Safetensors.Tensor> t = new LinkedHashMap<>();
        t.put("fourier_basis", tensor(basis.matrixFloat(), p, p));
        t.put("embed_fourier", tensor(f.embedFourier(), p, r.config().dModel()));
        t.put("embed_fourier_norms", tensor(toFloat(f.weights().embedRowNorms()), p));
        t.put("embed_frequency_norms", tensor(toFloat(basis.frequencyNorms(f.weights().embedRowNorms())), nk));
        t.put("neuron_logit_fourier", tensor(f.neuronLogitFourier(), p, m));
        t.put("neuron_logit_fourier_norms", tensor(toFloat(f.weights().neuronLogitRowNorms()), p));
        t.put("neuron_logit_frequency_norms",
                tensor(toFloat(basis.frequencyNorms(f.weights().neuronLogitRowNorms())), nk));
        float[] acts = new float[m * n];
        float[] neurons = f.outputs().neurons();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                acts[j * n + i] = neurons[i * m + j];
            }
        }
        t.put("neuron_activations", tensor(acts, m, p, p));
        t.put("neuron_frac_explained", tensor(toFloat(f.fracExplained()), m, nk));
        float[] freq = new float[m];
        float[] clustered = new float[m];
        for (int j = 0; j < m; j++) {
            freq[j] = f.clusters().frequency(j);
            clustered[j] = f.clusters().isClustered(j) ? 1f : 0f;
        }
        t.put("neuron_frequency", tensor(freq, m));
        t.put("neuron_clustered", tensor(clustered, m));
        float[] toA = new float[h * n];
        float[] toB = new float[h * n];
        float[] att = f.outputs().attention();
        for (int i = 0; i < n; i++) {
            for (int hh = 0; hh < h; hh++) {
                toA[hh * n + i] = att[(i * h + hh) * 3];
                toB[hh * n + i] = att[(i * h + hh) * 3 + 1];
            }
        }
        t.put("attention_to_a", tensor(toA, h, p, p));
        t.put("attention_to_b", tensor(toB, h, p, p));
        t.put("logits_fourier_norms", tensor(f.logitFourierNorms(), p, p));

        int rows = r.progress().size();
        int nKey = r.keyFrequencies().length;
        float[] epochs = new float[rows];
        float[] embedNorms = new float[rows * nk];
        float[] wlNorms = new float[rows * nk];
        float[] amplitudes = new float[rows * nKey];
        float[] excludedPer = new float[rows * nKey];
        for (int i = 0; i < rows; i++) {
            ProgressMeasures.Row row = r.progress().get(i);
            epochs[i] = row.epoch();
            System.arraycopy(toFloat(basis.frequencyNorms(row.weights().embedRowNorms())), 0, embedNorms, i * nk, nk);
            System.arraycopy(toFloat(basis.frequencyNorms(row.weights().neuronLogitRowNorms())), 0, wlNorms, i * nk,
                    nk);
            System.arraycopy(toFloat(row.logits().keyAmplitudes()), 0, amplitudes, i * nKey, nKey);
            System.arraycopy(toFloat(row.logits().excludedLossPerFrequency()), 0, excludedPer, i * nKey, nKey);
        }
        t.put("progress_epochs", tensor(epochs, rows));
        t.put("progress_embed_frequency_norms", tensor(embedNorms, rows, nk));
        t.put("progress_neuron_logit_frequency_norms", tensor(wlNorms, rows, nk));
        t.put("progress_key_amplitudes", tensor(amplitudes, rows, nKey));
        t.put("progress_excluded_loss_per_frequency", tensor(excludedPer, rows, nKey));
        if (r.agop() != null) {
            r.agop().addArrays(t, basis);
        }
        return t;
    }

    static Map<String, String> arraysMetadata(AnalysisResults r) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", ARRAYS_FORMAT);
        meta.put("p", Integer.toString(r.config().p()));
        meta.put("epoch", Long.toString(r.fin().epoch()));
        meta.put("key_frequencies", ints(r.keyFrequencies()).toString());
        JsonArray labels = new JsonArray();
        for (String s : r.basis().labels()) {
            labels.add(s);
        }
        meta.put("basis_labels", labels.toString());
        return meta;
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private static Safetensors.Tensor tensor(float[] data, int... shape) {
        return new Safetensors.Tensor(shape, data);
    }

    private static float[] toFloat(double[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) x[i];
        }
        return out;
    }

    static JsonElement number(double x) {
        return Double.isFinite(x) ? new JsonPrimitive(x) : JsonNull.INSTANCE;
    }

    private static JsonElement epochOrNull(Long e) {
        return e == null ? JsonNull.INSTANCE : new JsonPrimitive(e);
    }

    static JsonArray ints(int[] values) {
        JsonArray a = new JsonArray();
        for (int v : values) {
            a.add(v);
        }
        return a;
    }

    static JsonArray doubles(double[] values) {
        JsonArray a = new JsonArray();
        for (double v : values) {
            a.add(number(v));
        }
        return a;
    }

    static String format(double x) {
        return String.format(Locale.ROOT, "%.3g", x);
    }
}
