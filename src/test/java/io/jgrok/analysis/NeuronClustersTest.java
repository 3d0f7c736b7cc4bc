package io.jgrok.analysis;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NeuronClustersTest {

    @Test
    void argmaxThresholdAndKeyFrequencies() {
        int k = 4;
        double[] frac = {
            0.10, 0.90, 0.00, 0.00,   // neuron 0: frequency 2, clustered
            0.00, 0.00, 0.85, 0.10,   // neuron 1: frequency 3, exactly at the threshold: clustered
            0.30, 0.20, 0.00, 0.40,   // neuron 2: frequency 4, not clustered, still a key frequency
            0.00, 0.00, 0.00, 0.00,   // neuron 3: no variance: no frequency, no key frequency
            0.50, 0.50, 0.00, 0.00,   // neuron 4: tie between 1 and 2 goes to the lower
            0.00, 0.95, 0.00, 0.01,   // neuron 5: frequency 2, clustered
        };
        NeuronClusters c = new NeuronClusters(frac, 6, k);
        assertArrayEquals(new int[] {2, 3, 4, 0, 1, 2}, c.frequencies());
        assertArrayEquals(new int[] {1, 2, 3, 4}, c.keyFrequencies());
        assertTrue(c.isClustered(0));
        assertTrue(c.isClustered(1));
        assertFalse(c.isClustered(2));
        assertFalse(c.isClustered(3));
        assertFalse(c.isClustered(4));
        assertEquals(3, c.clusteredCount());
        assertEquals(1, c.deadCount());
        assertEquals(0.5, c.clusteredFraction(), 1e-15);
        assertEquals(List.of(new NeuronClusters.Cluster(1, 1, 0), new NeuronClusters.Cluster(2, 2, 2),
                new NeuronClusters.Cluster(3, 1, 1), new NeuronClusters.Cluster(4, 1, 0)), c.clusters());
        assertArrayEquals(new double[] {0.90, 0.85, 0.40, 0.0, 0.50, 0.95}, c.bestFractions(), 0.0);
    }
}
