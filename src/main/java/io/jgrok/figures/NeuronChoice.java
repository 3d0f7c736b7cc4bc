package io.jgrok.figures;

import io.jgrok.io.Safetensors;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which neurons and which cluster the figures show, from the analysis arrays {@code neuron_frequency} (each neuron's
 * argmax frequency), {@code neuron_clustered} (frac_explained >= 0.85) and {@code neuron_frac_explained} [neuron, k].
 */
final class NeuronChoice {
    private NeuronChoice() {
    }

    /** A neuron, its frequency and the fraction of its variance that frequency explains. */
    record Pick(int neuron, int frequency, double frac, boolean clustered) {
    }

    /** The neurons of one frequency; {@code clustered}: only those above the threshold (if any were). */
    record Cluster(int frequency, int[] neurons, boolean clustered) {
    }

    static List<Pick> all(RunData run) {
        Safetensors.Tensor freq = run.array("neuron_frequency");
        Safetensors.Tensor clustered = run.array("neuron_clustered");
        Safetensors.Tensor frac = run.array("neuron_frac_explained");
        int m = freq.data().length;
        int nk = frac.shape()[1];
        List<Pick> out = new ArrayList<>(m);
        for (int j = 0; j < m; j++) {
            int k = Math.round(freq.data()[j]);
            double f = k >= 1 && k <= nk ? frac.data()[j * nk + k - 1] : Double.NaN;
            out.add(new Pick(j, k, f, clustered.data()[j] > 0.5f));
        }
        return out;
    }

    /**
     * Up to {@code max} neurons to show, spread over the frequencies (largest clusters first, best-explained neuron
     * of each first), in neuron order.
     */
    static List<Pick> representatives(RunData run, int max) {
        List<Pick> all = all(run);
        List<Pick> sorted = new ArrayList<>(all);
        sorted.removeIf(p -> Double.isNaN(p.frac()));
        sorted.sort(Comparator.comparingDouble((Pick p) -> -p.frac()));
        List<Integer> frequencies = new ArrayList<>();
        for (Pick p : sorted) {
            if (!frequencies.contains(p.frequency())) {
                frequencies.add(p.frequency());
            }
        }
        frequencies.sort(Comparator.comparingLong((Integer k) -> -size(all, k)));
        // Round robin over the frequencies, largest cluster first: the best-explained neuron of each, then the
        // second best of each, and so on.
        List<Pick> out = new ArrayList<>();
        for (int round = 0; out.size() < max; round++) {
            boolean any = false;
            for (int k : frequencies) {
                if (out.size() == max) {
                    break;
                }
                List<Pick> ofK = sorted.stream().filter(p -> p.frequency() == k).toList();
                if (round < ofK.size()) {
                    out.add(ofK.get(round));
                    any = true;
                }
            }
            if (!any) {
                break;
            }
        }
        out.sort(Comparator.comparingInt(Pick::neuron));
        return out;
    }

    /** The key frequency with the most clustered neurons (with the most neurons, if none is clustered). */
    static Cluster largestCluster(RunData run) {
        List<Pick> all = all(run);
        boolean anyClustered = all.stream().anyMatch(Pick::clustered);
        int best = -1;
        int bestSize = -1;
        int[] keys = run.keyFrequencies.length > 0 ? run.keyFrequencies
                : all.stream().mapToInt(Pick::frequency).distinct().sorted().toArray();
        for (int k : keys) {
            int s = (int) all.stream().filter(p -> p.frequency() == k && (p.clustered() || !anyClustered)).count();
            if (s > bestSize) {
                best = k;
                bestSize = s;
            }
        }
        final int k = best;
        int[] members = all.stream().filter(p -> p.frequency() == k && (p.clustered() || !anyClustered))
                .mapToInt(Pick::neuron).toArray();
        return new Cluster(k, members, anyClustered);
    }

    private static long size(List<Pick> all, int k) {
        return all.stream().filter(p -> p.frequency() == k).count();
    }
}
