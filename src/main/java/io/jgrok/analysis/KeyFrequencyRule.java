package io.jgrok.analysis;

import io.jgrok.UserError;

import java.util.Arrays;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Which frequencies the ablations (restricted and excluded loss, over training too) treat as the model's key
 * frequencies:
 * <ul>
 *   <li>{@code clustered} (default): the frequencies that own at least one clustered neuron (frac_explained at least
 *       {@link NeuronClusters#THRESHOLD} at its own frequency). On the paper's main run this gives the paper's five.</li>
 *   <li>{@code notebook}: the paper notebook's rule, the distinct argmax frequency over all neurons, taken before the
 *       threshold. Faithful to the main run, but on others every unclustered neuron adds its noise frequency, which
 *       inflates the restricted loss's basis (it keeps too much) and deflates the excluded loss.</li>
 *   <li>an explicit list, as the notebook sets {@code key_freqs = [14, 35, 41, 42, 52]} by hand.</li>
 * </ul>
 * When no neuron is clustered (an untrained or memorising model), the default falls back to the notebook's rule
 * and says so, rather than ablating nothing.
 */
public final class KeyFrequencyRule {
    public enum Kind {
        CLUSTERED, NOTEBOOK, EXPLICIT;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The default. */
    public static final KeyFrequencyRule CLUSTERED = new KeyFrequencyRule(Kind.CLUSTERED, null);
    public static final KeyFrequencyRule NOTEBOOK = new KeyFrequencyRule(Kind.NOTEBOOK, null);

    private final Kind kind;
    private final int[] explicit;

    private KeyFrequencyRule(Kind kind, int[] explicit) {
        this.kind = kind;
        this.explicit = explicit;
    }

    /** What the rule chose for one model, and what the other rules give, for the summary. */
    public record Choice(int[] frequencies, Kind rule, boolean fallback, int[] clustered, int[] notebook) {
        /** One line for the summary and the report. */
        public String describe() {
            return switch (rule) {
                case CLUSTERED -> fallback ? "no neuron is clustered, so the notebook's rule (distinct argmax "
                        + "frequency over all neurons) is used" : "frequencies that own at least one clustered neuron";
                case NOTEBOOK -> "the paper notebook's rule: distinct argmax frequency over all neurons";
                case EXPLICIT -> "given explicitly";
            };
        }

        /**
         * The rule that gave the frequencies, for the summary table's "key frequencies (...)": when no neuron is
         * clustered, the clustered rule hands over to the notebook's, and the table says so.
         */
        public String source() {
            return fallback ? "notebook rule: no neuron clustered" : rule.label() + " rule";
        }
    }

    /**
     * Parses {@code clustered}, {@code notebook} or a comma-separated list of frequencies ({@code 14,35,41,42,52});
     * the list is checked against p when the model is known ({@link #choose}).
     */
    public static KeyFrequencyRule parse(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        if (t.equals("clustered")) {
            return CLUSTERED;
        }
        if (t.equals("notebook")) {
            return NOTEBOOK;
        }
        TreeSet<Integer> set = new TreeSet<>();
        for (String part : t.split(",")) {
            try {
                int k = Integer.parseInt(part.trim());
                if (k < 1 || !set.add(k)) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new UserError("--key_freqs must be clustered, notebook or a list of distinct frequencies >= 1 "
                        + "such as 14,35,41,42,52; got '" + s + "'");
            }
        }
        return new KeyFrequencyRule(Kind.EXPLICIT, set.stream().mapToInt(Integer::intValue).toArray());
    }

    public Kind kind() {
        return kind;
    }

    /** Applies the rule to a model's neuron clusters. */
    public Choice choose(NeuronClusters nc) {
        int[] clustered = nc.clusteredFrequencies();
        int[] notebook = nc.keyFrequencies();
        return switch (kind) {
            case CLUSTERED -> clustered.length > 0
                    ? new Choice(clustered, kind, false, clustered, notebook)
                    : new Choice(notebook, kind, true, clustered, notebook);
            case NOTEBOOK -> new Choice(notebook, kind, false, clustered, notebook);
            case EXPLICIT -> {
                for (int k : explicit) {
                    if (k > nc.nFrequencies()) {
                        throw new UserError("--key_freqs " + k + " is not a frequency of this model: frequencies run "
                                + "from 1 to " + nc.nFrequencies() + " (p / 2)");
                    }
                }
                yield new Choice(explicit.clone(), kind, false, clustered, notebook);
            }
        };
    }

    @Override
    public String toString() {
        return kind == Kind.EXPLICIT ? Arrays.toString(explicit) : kind.label();
    }
}
