package io.jgrok.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The paper's neuron clustering, applied to a frac_explained matrix [nNeurons, K]: each neuron's frequency is the
 * argmax of its fractions over k = 1..K (ties to the lower k); a neuron is clustered when its fraction at its own
 * frequency is at least {@link #THRESHOLD} (the paper marks frac < 0.85 as unclustered). Two key-frequency sets
 * follow ({@link KeyFrequencyRule} chooses): the notebook's, the distinct argmax values over all neurons
 * ({@link #keyFrequencies}), and the frequencies that own at least one clustered neuron
 * ({@link #clusteredFrequencies}).
 *
 * <p>Where the notebook is silent: a neuron whose activation does not vary over the inputs (dead, or constant) has
 * no frequency (reported as 0), is never clustered, and does not contribute a key frequency; otherwise a dead
 * neuron's arbitrary argmax would add a spurious key frequency.
 */
public final class NeuronClusters {
    public static final double THRESHOLD = 0.85;

    private final int nNeurons;
    private final int nFrequencies;
    private final int[] frequency;
    private final double[] bestFraction;
    private final boolean[] clustered;
    private final int[] keyFrequencies;

    /** One cluster: the neurons whose argmax is k, and how many of them pass the threshold. */
    public record Cluster(int frequency, int neurons, int clustered) {
    }

    public NeuronClusters(double[] frac, int nNeurons, int nFrequencies) {
        if (frac.length != nNeurons * nFrequencies) {
            throw new IllegalArgumentException("frac has " + frac.length + " entries, expected "
                    + nNeurons * nFrequencies);
        }
        this.nNeurons = nNeurons;
        this.nFrequencies = nFrequencies;
        this.frequency = new int[nNeurons];
        this.bestFraction = new double[nNeurons];
        this.clustered = new boolean[nNeurons];
        TreeSet<Integer> keys = new TreeSet<>();
        for (int n = 0; n < nNeurons; n++) {
            int best = 0;
            double bestVal = 0;
            for (int k = 1; k <= nFrequencies; k++) {
                double f = frac[n * nFrequencies + k - 1];
                if (f > bestVal) {
                    bestVal = f;
                    best = k;
                }
            }
            frequency[n] = best;
            bestFraction[n] = bestVal;
            clustered[n] = best > 0 && bestVal >= THRESHOLD;
            if (best > 0) {
                keys.add(best);
            }
        }
        this.keyFrequencies = keys.stream().mapToInt(Integer::intValue).toArray();
    }

    public int nNeurons() {
        return nNeurons;
    }

    public int nFrequencies() {
        return nFrequencies;
    }

    /** Each neuron's frequency (argmax), 0 for a neuron without variance. */
    public int[] frequencies() {
        return frequency.clone();
    }

    /** Each neuron's fraction explained by its own frequency. */
    public double[] bestFractions() {
        return bestFraction.clone();
    }

    public boolean[] clusteredMask() {
        return clustered.clone();
    }

    public boolean isClustered(int neuron) {
        return clustered[neuron];
    }

    public int frequency(int neuron) {
        return frequency[neuron];
    }

    /** The notebook's key frequencies: the distinct argmax frequencies over all neurons, ascending. */
    public int[] keyFrequencies() {
        return keyFrequencies.clone();
    }

    /** The frequencies that own at least one clustered neuron, ascending. */
    public int[] clusteredFrequencies() {
        TreeSet<Integer> keys = new TreeSet<>();
        for (int n = 0; n < nNeurons; n++) {
            if (clustered[n]) {
                keys.add(frequency[n]);
            }
        }
        return keys.stream().mapToInt(Integer::intValue).toArray();
    }

    public int clusteredCount() {
        int c = 0;
        for (boolean b : clustered) {
            c += b ? 1 : 0;
        }
        return c;
    }

    /** Neurons without variance (no frequency). */
    public int deadCount() {
        int c = 0;
        for (int f : frequency) {
            c += f == 0 ? 1 : 0;
        }
        return c;
    }

    public double clusteredFraction() {
        return (double) clusteredCount() / nNeurons;
    }

    /** One entry per frequency that is some neuron's argmax (the notebook's key frequencies), ascending. */
    public List<Cluster> clusters() {
        List<Cluster> out = new ArrayList<>();
        for (int k : keyFrequencies) {
            int all = 0;
            int ok = 0;
            for (int n = 0; n < nNeurons; n++) {
                if (frequency[n] == k) {
                    all++;
                    ok += clustered[n] ? 1 : 0;
                }
            }
            out.add(new Cluster(k, all, ok));
        }
        return out;
    }
}
